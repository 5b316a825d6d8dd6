import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

/**
 * A request's claim to create the room of one visitor, stored where every instance of the app sees it. The design
 * (why insert-then-read, what the lease assumes) is in README, "Running on a cluster".
 */
export interface Claim {
	/** random, unique per attempt: the claim's own association, so that exactly this record can be removed */
	readonly claimId: string;
	readonly visitorId: string;
	/** when it was made, on the claiming instance's clock (epoch ms) */
	readonly at: number;
}

/** The shared store of claims. Each method is one engine call (one round trip in the Deno runtime). */
export interface ClaimStore {
	/** Stores the claim; when this resolves, every instance's `list` shows it. */
	add(claim: Claim): Promise<void>;
	/** Every stored claim of the visitor (records that are not claims are left out). */
	list(visitorId: string): Promise<Array<Claim>>;
	/** Removes the claim if it is stored; removing what is not there is no error. */
	remove(claimId: string): Promise<void>;
}

/** What marks the app's claim records in its persistence. */
const KIND = 'voiproom.room-claim';

function visitorAssociation(visitorId: string): RocketChatAssociationRecord {
	return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `voiproom-room-claims-of:${visitorId}`);
}

function claimAssociation(claimId: string): RocketChatAssociationRecord {
	return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `voiproom-room-claim:${claimId}`);
}

/** A stored record read back: a claim when it has a claim's shape, else nothing. */
export function toClaim(record: unknown, visitorId: string): Claim | undefined {
	if (typeof record !== 'object' || record === null) {
		return undefined;
	}
	const { kind, claimId, visitorId: of, at } = record as Record<string, unknown>;
	if (kind !== KIND || typeof claimId !== 'string' || !claimId || of !== visitorId || typeof at !== 'number' || !Number.isFinite(at)) {
		return undefined;
	}
	return { claimId, visitorId, at };
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
export function engineClaimStore(read: IPersistenceRead, persistence: IPersistence): ClaimStore {
	return {
		add: async (claim) => {
			const id = await persistence.createWithAssociations({ kind: KIND, ...claim }, [
				visitorAssociation(claim.visitorId),
				claimAssociation(claim.claimId),
			]);
			if (typeof id !== 'string' || !id) {
				// what the engine answers for a call the app has no permission for: nothing
				throw new Error('the persistence did not store the room claim (is persistence granted?)');
			}
		},
		list: async (visitorId) => {
			const records: unknown = await read.readByAssociations([visitorAssociation(visitorId)]);
			if (!Array.isArray(records)) {
				// Not "no claims": taking nothing for an empty list would let two instances create.
				throw new Error('the persistence reader returned no record list (is persistence granted?)');
			}
			return records.map((record) => toClaim(record, visitorId)).filter((claim): claim is Claim => !!claim);
		},
		remove: async (claimId) => {
			await persistence.removeByAssociations([claimAssociation(claimId)]);
		},
	};
}
