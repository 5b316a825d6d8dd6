import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

/**
 * A request's claim to do the work of one subject (create the room of a visitor, close a room), stored where every
 * instance of the app sees it. The design (why insert-then-read, what the lease assumes) is in docs/cluster.md.
 */
export interface Claim {
	/** random, unique per attempt: the claim's own association, so that exactly this record can be removed */
	readonly claimId: string;
	/** what it is about: the visitor id (creation), the room id (close) */
	readonly subject: string;
	/** when it was made, on the claiming instance's clock (epoch ms) */
	readonly at: number;
}

/** The shared store of claims. Each method is one engine call (one round trip in the Deno runtime). */
export interface ClaimStore {
	/** Stores the claim; when this resolves, every instance's `list` shows it. */
	add(claim: Claim): Promise<void>;
	/** Every stored claim of the subject (records that are not claims of this use are left out). */
	list(subject: string): Promise<Array<Claim>>;
	/** Removes the claim if it is stored; removing what is not there is no error. */
	remove(claimId: string): Promise<void>;
}

/** How the claims of one use are stored: the record's kind, the field holding the subject, the subject's association. */
export interface ClaimUse {
	readonly kind: string;
	readonly subjectField: string;
	readonly associationPrefix: string;
}

/**
 * Creation's claims, as every version of the app since issue 14 stores them (an instance of an older version, in
 * a rolling upgrade, reads and respects the claims of a newer one, and the other way round).
 */
export const CREATE_CLAIMS: ClaimUse = {
	kind: 'voiproom.room-claim',
	subjectField: 'visitorId',
	associationPrefix: 'voiproom-room-claims-of:',
};

/** The close's claims: per room id, records of their own kind, so that neither use ever waits for the other. */
export const CLOSE_CLAIMS: ClaimUse = {
	kind: 'voiproom.room-close-claim',
	subjectField: 'roomId',
	associationPrefix: 'voiproom-room-close-claims-of:',
};

function subjectAssociation(use: ClaimUse, subject: string): RocketChatAssociationRecord {
	return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `${use.associationPrefix}${subject}`);
}

function claimAssociation(claimId: string): RocketChatAssociationRecord {
	return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `voiproom-room-claim:${claimId}`);
}

/** A stored record read back: a claim of this use and subject when it has a claim's shape, else nothing. */
export function toClaim(record: unknown, subject: string, use: ClaimUse = CREATE_CLAIMS): Claim | undefined {
	if (typeof record !== 'object' || record === null) {
		return undefined;
	}
	const fields = record as Record<string, unknown>;
	const { kind, claimId, at } = fields;
	const of = fields[use.subjectField];
	if (kind !== use.kind || typeof claimId !== 'string' || !claimId || of !== subject || typeof at !== 'number' || !Number.isFinite(at)) {
		return undefined;
	}
	return { claimId, subject, at };
}

/**
 * The claims in the app's persistence (Rocket.Chat: one `apps_persistence` collection shared by every instance;
 * apps/meteor/app/apps/server/bridges/persistence.ts). What that bridge offers decides the mechanism:
 * `createWithAssociations` always inserts a new record (no given id, no unique index: there is no
 * insert-if-absent), `readByAssociations` finds every record holding all the given associations
 * (`associations: { $all }`), `removeByAssociations` deletes the matching records (deleteMany, in some versions
 * deleteOne: a claim's own association matches one record either way). `update` by id throws "Not implemented."
 * and `updateByAssociations` matches the association array exactly and fails after updating an existing record
 * (`result.upsertedId` is null): neither is used.
 */
export function engineClaimStore(read: IPersistenceRead, persistence: IPersistence, use: ClaimUse = CREATE_CLAIMS): ClaimStore {
	return {
		add: async (claim) => {
			const record = { kind: use.kind, claimId: claim.claimId, [use.subjectField]: claim.subject, at: claim.at };
			const id = await persistence.createWithAssociations(record, [
				subjectAssociation(use, claim.subject),
				claimAssociation(claim.claimId),
			]);
			if (typeof id !== 'string' || !id) {
				// what the engine answers for a call the app has no permission for: nothing
				throw new Error('the persistence did not store the room claim (is persistence granted?)');
			}
		},
		list: async (subject) => {
			const records: unknown = await read.readByAssociations([subjectAssociation(use, subject)]);
			if (!Array.isArray(records)) {
				// Not "no claims": taking nothing for an empty list would let two instances do the work.
				throw new Error('the persistence reader returned no record list (is persistence granted?)');
			}
			return records.map((record) => toClaim(record, subject, use)).filter((claim): claim is Claim => !!claim);
		},
		remove: async (claimId) => {
			await persistence.removeByAssociations([claimAssociation(claimId)]);
		},
	};
}
