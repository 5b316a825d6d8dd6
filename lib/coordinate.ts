/**
 * Work done once per subject across every instance of the app (a Rocket.Chat cluster): the room creation of a
 * visitor (lib/resolve.ts) and the close of a room (lib/close.ts). Claims in the shared store, insert then read
 * back, with a lease. The reasoning, the assumptions and the cost are in docs/cluster.md.
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

/** What a coordinated task came to. */
export type Outcome<T, R> =
	/** the work was found done (by another request, or before any): what `settled` read */
	| { readonly kind: 'settled'; readonly value: R }
	/** this request won and ran `act` */
	| { readonly kind: 'acted'; readonly value: T }
	/** other requests held the subject's claims until the deadline */
	| { readonly kind: 'busy'; readonly retryAfterMs: number };

/**
 * Work that must run once across every instance for one subject (the room creation of a visitor, the close of a
 * room), with what tells that it has been done already.
 */
export interface Task<T, R> {
	/** the claims of this use (lib/claims.ts: each use has its own records) */
	readonly claims: ClaimStore;
	/** what the claims are about: a visitor id (creation), a room id (close) */
	readonly subject: string;
	/** Reads whether the work is done (its result), else undefined. Read under the claim before `act`, and after every lost round. */
	readonly settled: () => Promise<R | undefined>;
	/** The work; runs at most once, only while this request's claim is the only live one and `settled` found nothing. */
	readonly act: () => Promise<T>;
	/** When to stop waiting (epoch ms, on `timing`'s clock). */
	readonly deadline: number;
	readonly limits?: CoordinationLimits;
	readonly timing?: Timing;
}

/** Creation's names for the outcomes (lib/resolve.ts). */
export type Coordinated<T, R> =
	/** a usable room was listed: someone else created it (or it was there) */
	| { readonly kind: 'found'; readonly room: R }
	/** this request won and ran `create` */
	| { readonly kind: 'created'; readonly value: T }
	/** other requests held the visitor's claims until the deadline */
	| { readonly kind: 'busy'; readonly retryAfterMs: number };

/** Creation's task, in creation's words: `subject` is the visitor id, `settled` lists its rooms, `act` creates. */
export type CoordinationTask<T, R> = Omit<Task<T, R>, 'subject' | 'settled' | 'act'> & {
	readonly visitorId: string;
	/** Lists the visitor's open rooms and picks the answer, if any. */
	readonly findOpen: () => Promise<R | undefined>;
	/** Creates the room; runs at most once, only while this request's claim is the only live one. */
	readonly create: () => Promise<T>;
};

/** A wait's end as the Retry-After header gives it: whole seconds, at least one. */
export function retryAfterSeconds(retryAfterMs: number): number {
	return Math.max(1, Math.ceil(retryAfterMs / 1000));
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

/** Removal that may fail: the claim then lapses with its lease (docs/cluster.md, what remains possible). */
async function removeQuietly(claims: ClaimStore, claimId: string): Promise<void> {
	try {
		await claims.remove(claimId);
	} catch {
		// nothing to do: a lease ends every claim
	}
}

/**
 * Rounds of: make a claim, read every claim of the subject back; if no other claim is live, read whether the work
 * is done (`settled`) and run `act` when it is not; remove the claim (after `act` ended, so that its effect is
 * there to be read before the claim disappears). When another claim is live, remove this one, pause, read
 * `settled` again, and go on until the deadline. At most one request acts while the lease holds (docs/cluster.md,
 * why one room: the argument does not depend on what the work is).
 */
export async function coordinate<T, R>(task: Task<T, R>): Promise<Outcome<T, R>> {
	const timing = task.timing || realTiming;
	const limits = task.limits || DEFAULT_LIMITS;
	const { claims, subject } = task;
	for (let round = 0; ; round++) {
		const claim: Claim = { claimId: newClaimId(timing), subject, at: timing.now() };
		let blocking: Array<Claim>;
		try {
			await claims.add(claim);
			const seen = await claims.list(subject);
			const now = timing.now();
			const others = seen.filter((other) => other.claimId !== claim.claimId);
			blocking = others.filter((other) => isLive(other, now, limits.leaseMs));
			for (const lapsed of others.filter((other) => !isLive(other, now, limits.leaseMs))) {
				await removeQuietly(claims, lapsed.claimId);
			}
			if (blocking.length === 0) {
				const done = await task.settled();
				if (done !== undefined) {
					return { kind: 'settled', value: done };
				}
				if (timing.now() - claim.at <= limits.startWithinMs) {
					return { kind: 'acted', value: await task.act() };
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
		const done = await task.settled();
		if (done !== undefined) {
			return { kind: 'settled', value: done };
		}
	}
}

/** One creation per visitor: `coordinate` over the visitor's creation claims, in creation's words. */
export async function coordinateCreation<T, R>(task: CoordinationTask<T, R>): Promise<Coordinated<T, R>> {
	const { visitorId, findOpen, create, ...rest } = task;
	const outcome = await coordinate<T, R>({ ...rest, subject: visitorId, settled: findOpen, act: create });
	switch (outcome.kind) {
		case 'settled':
			return { kind: 'found', room: outcome.value };
		case 'acted':
			return { kind: 'created', value: outcome.value };
		case 'busy':
			return outcome;
	}
}
