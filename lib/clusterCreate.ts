/**
 * One creation per visitor across every instance of the app (a Rocket.Chat cluster): claims in the shared store,
 * insert then read back, with a lease. The reasoning, the assumptions and the cost are in README, "Running on a cluster".
 */
import type { Claim, ClaimStore } from './claims';
import type { Timing } from './timing';
import { realTiming, sleep } from './timing';

export interface CoordinationLimits {
	/** A claim older than this (on the reader's clock) belongs to a dead or stuck request and is ignored. */
	readonly leaseMs: number;
	/** A request that won starts creating only this soon after making its claim; later, it tries again. */
	readonly startWithinMs: number;
	/** How long a request waits for other requests' claims before it answers 503 (Retry-After). */
	readonly waitMs: number;
	/** Pause after losing a round: between half and all of min(max, base · 2^round), at random. */
	readonly backoffBaseMs: number;
	readonly backoffMaxMs: number;
}

/**
 * 15 s lease; a winner starts the creation within 3 s of its claim, so the creation call itself has the 12 s left,
 * less the clock skew between instances (assumed ≤ 2 s): a livechat room creation must end within 10 s.
 * Waiting is bounded by 3 s, far below the Deno runtime's 30 s request timeout.
 */
export const DEFAULT_LIMITS: CoordinationLimits = {
	leaseMs: 15000,
	startWithinMs: 3000,
	waitMs: 3000,
	backoffBaseMs: 10,
	backoffMaxMs: 250,
};

export type Coordinated<T, R> =
	/** a usable room was listed: someone else created it (or it was there) */
	| { readonly kind: 'found'; readonly room: R }
	/** this request won and ran `create` */
	| { readonly kind: 'created'; readonly value: T }
	/** other requests held the visitor's claims until the deadline */
	| { readonly kind: 'busy'; readonly retryAfterMs: number };

export interface CoordinationTask<T, R> {
	readonly claims: ClaimStore;
	readonly visitorId: string;
	/** Lists the visitor's open rooms and picks the answer, if any. */
	readonly findOpen: () => Promise<R | undefined>;
	/** Creates the room; runs at most once, only while this request's claim is the only live one. */
	readonly create: () => Promise<T>;
	/** When to stop waiting (epoch ms, on `timing`'s clock). */
	readonly deadline: number;
	readonly limits?: CoordinationLimits;
	readonly timing?: Timing;
}

const ID_CHARS = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/** claims made by this app instance so far: with it, ids never repeat within an instance, whatever `random` gives */
let claimsMade = 0;

/** 20 random characters (about 115 bits with Math.random) tell instances apart; the counter, requests of one. */
function newClaimId(timing: Timing): string {
	let id = '';
	for (let i = 0; i < 20; i++) {
		id += ID_CHARS[Math.floor(timing.random() * ID_CHARS.length) % ID_CHARS.length];
	}
	claimsMade += 1;
	return `${id}.${claimsMade.toString(36)}`;
}

function isLive(claim: Claim, now: number, leaseMs: number): boolean {
	return now < claim.at + leaseMs;
}

/** Removal that may fail: the claim then lapses with its lease (README, "Running on a cluster", what remains possible). */
async function removeQuietly(claims: ClaimStore, claimId: string): Promise<void> {
	try {
		await claims.remove(claimId);
	} catch {
		// nothing to do: a lease ends every claim
	}
}

/**
 * Rounds of: make a claim, read every claim of the visitor back; if no other claim is live, list the open rooms
 * and create when there is none; remove the claim (after the created room is stored, so it is listed before the
 * claim disappears). When another claim is live, remove this one, pause, list the rooms again, and go on until
 * the deadline. At most one request creates while the lease holds (README, "Running on a cluster", why one room).
 */
export async function coordinateCreation<T, R>(task: CoordinationTask<T, R>): Promise<Coordinated<T, R>> {
	const timing = task.timing || realTiming;
	const limits = task.limits || DEFAULT_LIMITS;
	const { claims, visitorId } = task;
	for (let round = 0; ; round++) {
		const claim: Claim = { claimId: newClaimId(timing), visitorId, at: timing.now() };
		let blocking: Array<Claim>;
		try {
			await claims.add(claim);
			const seen = await claims.list(visitorId);
			const now = timing.now();
			const others = seen.filter((other) => other.claimId !== claim.claimId);
			blocking = others.filter((other) => isLive(other, now, limits.leaseMs));
			for (const lapsed of others.filter((other) => !isLive(other, now, limits.leaseMs))) {
				await removeQuietly(claims, lapsed.claimId);
			}
			if (blocking.length === 0) {
				const open = await task.findOpen();
				if (open !== undefined) {
					return { kind: 'found', room: open };
				}
				if (timing.now() - claim.at <= limits.startWithinMs) {
					return { kind: 'created', value: await task.create() };
				}
				// too slow to start safely within the lease: another round, with a fresh claim
			}
		} finally {
			// also when `add` failed: the record may be stored even so
			await removeQuietly(claims, claim.claimId);
		}
		const now = timing.now();
		if (now >= task.deadline) {
			// by then the oldest claim that kept this request out has lapsed, whatever became of its owner (the
			// younger ones are most likely other waiters' claims, gone within milliseconds)
			const lapse = blocking.length ? Math.min(...blocking.map((other) => other.at)) + limits.leaseMs - now : 0;
			return { kind: 'busy', retryAfterMs: Math.max(0, lapse) };
		}
		const ceiling = Math.min(limits.backoffMaxMs, limits.backoffBaseMs * 2 ** Math.min(round, 20));
		await sleep(timing, Math.min(task.deadline - now, ceiling / 2 + (timing.random() * ceiling) / 2));
		const open = await task.findOpen();
		if (open !== undefined) {
			return { kind: 'found', room: open };
		}
	}
}
