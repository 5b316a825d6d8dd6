/**
 * The app's claim store over an in-memory stand-in of Rocket.Chat's app persistence, with the same semantics as
 * its bridge (apps/meteor/app/apps/server/bridges/persistence.ts): an insert always adds a record, a read returns
 * every record of the subject, a removal deletes the claim's record if it is there. Each operation takes effect
 * at one instant (as one MongoDB operation does), which a test may postpone (`gate`) to interleave requests.
 */
import type { Claim, ClaimStore } from '../../lib/claims';

export type ClaimOp = 'claims.add' | 'claims.list' | 'claims.remove';

export class MemoryClaimStore implements ClaimStore {
	/** what is stored, by claim id, in insertion order */
	public readonly records = new Map<string, Claim>();
	/** every operation, in call order */
	public readonly calls: Array<ClaimOp>;
	/**
	 * awaited before an operation takes effect; `fail` makes it throw instead ('before': nothing stored;
	 * 'after': the effect happened, the caller gets the error all the same)
	 */
	public gate: (op: ClaimOp, claimId?: string) => Promise<'ok' | 'fail-before' | 'fail-after'> = async () => 'ok';

	constructor(calls?: Array<string>) {
		this.calls = (calls || []) as Array<ClaimOp>;
	}

	private async effect<T>(op: ClaimOp, claimId: string | undefined, apply: () => T): Promise<T> {
		this.calls.push(op);
		const decision = await this.gate(op, claimId);
		if (decision === 'fail-before') {
			throw new Error(`store failure before ${op}`);
		}
		const result = apply();
		if (decision === 'fail-after') {
			throw new Error(`store failure after ${op}`);
		}
		return result;
	}

	public add(claim: Claim): Promise<void> {
		return this.effect('claims.add', claim.claimId, () => {
			this.records.set(claim.claimId, { ...claim });
		});
	}

	public list(subject: string): Promise<Array<Claim>> {
		return this.effect('claims.list', undefined, () =>
			Array.from(this.records.values())
				.filter((claim) => claim.subject === subject)
				.map((claim) => ({ ...claim })),
		);
	}

	public remove(claimId: string): Promise<void> {
		return this.effect('claims.remove', claimId, () => {
			this.records.delete(claimId);
		});
	}
}
