/**
 * The cross-instance creation (lib/coordinate.ts) over an in-memory store with Rocket.Chat's persistence
 * semantics, under schedules fast-check chooses: every store operation, room listing, room creation and pause
 * takes effect at a point the scheduler picks, so requests of different instances interleave in every way the
 * shared store allows. Time is virtual: it moves when a pause ends.
 */
import { describe, expect, it } from '@jest/globals';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import fc from 'fast-check';

import type { Claim } from '../../lib/claims';
import { CLOSE_CLAIMS, toClaim } from '../../lib/claims';
import type { Coordinated, CoordinationLimits } from '../../lib/coordinate';
import { coordinateCreation, DEFAULT_LIMITS } from '../../lib/coordinate';
import type { CloseSource } from '../../lib/close';
import { closeVisitorRoom } from '../../lib/close';
import type { VoipError } from '../../lib/errors';
import type { Timing } from '../../lib/timing';
import { ManualTiming } from './manualTiming';
import { MemoryClaimStore } from './memoryClaims';

const LIMITS: CoordinationLimits = DEFAULT_LIMITS;
const VISITOR = 'visitor-1';
const T0 = 1_700_000_000_000;

type Outcome = Coordinated<string, string> | { kind: 'error'; message: string };

type CloseOutcome =
	| { kind: 'closed' }
	| { kind: 'busy'; retryAfterSeconds: number }
	| { kind: 'error'; message: string }
	| { kind: Exclude<VoipError['kind'], 'close-busy'> };

const CLOSE_ROOM = { id: 'room-1', type: 'l', visitor: { id: 'visitor-1', token: 'visitor-token-0123456789' } };

interface Room {
	id: string;
	createdAt: number;
	by: number;
}

/** The shared store, the rooms and a virtual clock, every effect released by the fast-check scheduler. */
class ScheduledWorld {
	public readonly claims = new MemoryClaimStore();
	public readonly rooms: Array<Room> = [];
	public clock = T0;
	private randomIndex = 0;

	constructor(
		private readonly s: fc.Scheduler,
		private readonly randoms: ReadonlyArray<number>,
		/** per store operation, in call order: what the store does (default: it works) */
		private readonly storeFaults: ReadonlyArray<'ok' | 'fail-before' | 'fail-after'> = [],
	) {
		let op = 0;
		this.claims.gate = (name) => {
			const decision = this.storeFaults[op++] || 'ok';
			return this.s.schedule(Promise.resolve(decision), name);
		};
	}

	readonly timing: Timing = {
		now: () => this.clock,
		after: (ms, fn) => {
			const start = this.clock;
			void this.s.schedule(Promise.resolve(), `pause ${Math.round(ms)} ms`).then(() => {
				this.clock = Math.max(this.clock, start + ms);
				fn();
			});
			return () => undefined;
		},
		random: () => (this.randoms.length ? this.randoms[this.randomIndex++ % this.randoms.length] : 0.5),
	};

	/** The room the closes are about (open until a close carries it out), and the closes Rocket.Chat carried out. */
	public roomOpen = true;
	public readonly closes: Array<{ by: number; at: number }> = [];

	/**
	 * One `voip/room.close` on instance `instance`, the real action (lib/close.ts) over this world: the room read and
	 * the close each take effect when the scheduler says; each request its own instance's lock.
	 */
	close(instance: number, limits: CoordinationLimits = LIMITS, mutation: { trustFirstRead?: boolean } = {}): Promise<CloseOutcome> {
		let first: boolean | undefined;
		const read = (): Promise<ILivechatRoom> =>
			this.s.schedule(Promise.resolve(), 'read room').then(() => {
				// the mutation: every later read answers what the first one did (a close that never looks again)
				const open = mutation.trustFirstRead && first !== undefined ? first : this.roomOpen;
				first = first === undefined ? open : first;
				return { ...CLOSE_ROOM, isOpen: open ? true : undefined } as unknown as ILivechatRoom;
			});
		const source: CloseSource = {
			roomById: read,
			visitorByToken: async () => undefined,
			closeClaims: this.claims,
			closeRoom: () =>
				this.s.schedule(Promise.resolve(), 'close room').then(() => {
					// as Rocket.Chat 6.x: a room already closed is closed again (no conditional write)
					this.closes.push({ by: instance, at: this.clock });
					this.roomOpen = false;
					return true;
				}),
		};
		const lock = { run: <T>(_key: string, task: (turn: { waited: boolean }) => Promise<T>) => task({ waited: false }) };
		return closeVisitorRoom(
			source,
			{ rid: CLOSE_ROOM.id, token: CLOSE_ROOM.visitor.token, options: {} },
			{ lock, coordination: { limits, timing: this.timing } },
		).then(
			(result): CloseOutcome =>
				result.ok
					? { kind: 'closed' }
					: result.error.kind === 'close-busy'
						? { kind: 'busy', retryAfterSeconds: result.error.retryAfterSeconds }
						: { kind: result.error.kind },
			(e: unknown) => ({ kind: 'error' as const, message: (e as Error).message }),
		);
	}

	/** One request on instance `instance`, as the resolver runs it, with the deadline it would have. */
	request(instance: number, limits: CoordinationLimits = LIMITS): Promise<Outcome> {
		return coordinateCreation<string, string>({
			claims: this.claims,
			visitorId: VISITOR,
			findOpen: () => this.s.schedule(Promise.resolve(), 'list rooms').then(() => (this.rooms.length ? this.rooms[0].id : undefined)),
			create: () =>
				this.s.schedule(Promise.resolve(), 'create room').then(() => {
					const id = `room-${instance}-${this.rooms.length}`;
					this.rooms.push({ id, createdAt: this.clock, by: instance });
					return id;
				}),
			deadline: this.clock + limits.waitMs,
			limits,
			timing: this.timing,
		}).catch((e: unknown) => ({ kind: 'error' as const, message: (e as Error).message }));
	}
}

/** how many requests: a crowd of 2–6, or a few (1–4) beside a dead claim or a failing store */
const crowd = fc.integer({ min: 2, max: 6 });
const few = fc.integer({ min: 1, max: 4 });
/** a dead instance's claim, from brand new to twice the lease old */
const claimAge = fc.integer({ min: 0, max: 2 * LIMITS.leaseMs });
const randoms = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 });

/** `n` requests started at once, every effect released in the order the scheduler picks; their outcomes. */
async function allAtOnce<O>(s: fc.Scheduler, n: number, start: (instance: number) => Promise<O>): Promise<Array<O>> {
	const running = Array.from({ length: n }, (_, i) => start(i));
	await s.waitAll();
	return Promise.all(running);
}

/** A claim of `subject` left by a dead instance, `age` ms old at T0; when its lease ends. */
function deadClaim(world: ScheduledWorld, subject: string, age: number): number {
	const dead: Claim = { claimId: 'dead-instance-claim', subject, at: T0 - age };
	world.claims.records.set(dead.claimId, dead);
	return dead.at + LIMITS.leaseMs;
}

/** The store works again and every claim left has lapsed (the clock moved past its lease). */
function healed(world: ScheduledWorld): void {
	const latest = Math.max(T0, ...Array.from(world.claims.records.values()).map((c) => c.at + LIMITS.leaseMs));
	world.clock = Math.max(world.clock, latest);
	world.claims.gate = () => Promise.resolve('ok');
}

/** Checks the answers against the rooms: one room at most, every answer names it, one creation at most. */
function expectOneRoom(world: ScheduledWorld, outcomes: Array<Outcome>): void {
	expect(world.rooms.length).toBeLessThanOrEqual(1);
	const created = outcomes.filter((o) => o.kind === 'created');
	expect(created.length).toBe(world.rooms.length);
	for (const outcome of outcomes) {
		if (outcome.kind === 'created') {
			expect(outcome.value).toBe(world.rooms[0].id);
		} else if (outcome.kind === 'found') {
			expect(outcome.room).toBe(world.rooms[0].id);
		}
	}
}

describe('coordinateCreation under adversarial schedules', () => {
	it('2 to 6 requests of different instances for one visitor: at most one room, every answer names it, no claim left', async () => {
		await fc.assert(
			fc.asyncProperty(fc.scheduler(), crowd, randoms, async (s, n, rs) => {
				const world = new ScheduledWorld(s, rs);
				const outcomes = await allAtOnce(s, n, (i) => world.request(i));
				expectOneRoom(world, outcomes);
				expect(outcomes.every((o) => o.kind === 'created' || o.kind === 'found' || o.kind === 'busy')).toBe(true);
				// a busy answer only while a claim was live; every claim is gone at the end
				expect(world.claims.records.size).toBe(0);
				// and once they are done, the next request never waits and never creates a second room (all of them may
				// have answered busy: the scheduler can keep every round colliding until the deadline)
				const hadRoom = world.rooms.length > 0;
				const after = await s.waitFor(world.request(n));
				expect(after.kind).toBe(hadRoom ? 'found' : 'created');
				expect(world.rooms.length).toBe(1);
			}),
			{ numRuns: 300 },
		);
	});

	it('a claim left by a dead instance keeps everyone out until its lease ends, then one request creates', async () => {
		await fc.assert(
			fc.asyncProperty(fc.scheduler(), few, claimAge, randoms, async (s, n, age, rs) => {
				const world = new ScheduledWorld(s, rs);
				const lapses = deadClaim(world, VISITOR, age);
				const outcomes = await allAtOnce(s, n, (i) => world.request(i));
				expectOneRoom(world, outcomes);
				for (const room of world.rooms) {
					expect(room.createdAt).toBeGreaterThanOrEqual(lapses);
				}
				if (lapses > T0 + LIMITS.waitMs) {
					// the lease outlives every request's wait: all answer busy, with the time the claim has left
					expect(outcomes.map((o) => o.kind)).toEqual(Array(n).fill('busy'));
					for (const o of outcomes) {
						const busy = o as { retryAfterMs: number };
						expect(busy.retryAfterMs).toBeGreaterThan(0);
						expect(busy.retryAfterMs).toBeLessThanOrEqual(lapses - T0);
					}
					expect(world.claims.records.has('dead-instance-claim')).toBe(true);
				} else if (world.rooms.length) {
					// whoever saw the lapsed claim removed it
					expect(world.claims.records.size).toBe(0);
				}
			}),
			{ numRuns: 200 },
		);
	});

	it('a store that fails anywhere (before or after the effect): at most one room; no claim outlives a failed removal', async () => {
		const fault = fc.constantFrom<'ok' | 'fail-before' | 'fail-after'>('ok', 'ok', 'fail-before', 'fail-after');
		await fc.assert(
			fc.asyncProperty(fc.scheduler(), few, fc.array(fault, { maxLength: 30 }), randoms, async (s, n, faults, rs) => {
				const world = new ScheduledWorld(s, rs, faults);
				const removalsThatFailed = new Set<string>();
				const remove = world.claims.remove.bind(world.claims);
				world.claims.remove = (claimId) =>
					remove(claimId).catch((e: unknown) => {
						removalsThatFailed.add(claimId);
						throw e;
					});
				const outcomes = await allAtOnce(s, n, (i) => world.request(i));
				expectOneRoom(world, outcomes);
				// a claim stays only where its removal failed (or the add landed after its removal was tried and failed)
				for (const claimId of world.claims.records.keys()) {
					expect(removalsThatFailed.has(claimId)).toBe(true);
				}
				// once the store works again and any leftover claim has lapsed, the next request is answered
				healed(world);
				const next = await s.waitFor(world.request(n));
				expect(next.kind).toBe(world.rooms.length === 1 && outcomes.some((o) => o.kind === 'created') ? 'found' : 'created');
				expect(world.rooms.length).toBe(1);
			}),
			{ numRuns: 300 },
		);
	});
});

/** One close at most; each 200 is the close carried out; the others read the room closed, or waited in vain. */
function expectOneClose(world: ScheduledWorld, outcomes: Array<CloseOutcome>): void {
	expect(world.closes.length).toBeLessThanOrEqual(1);
	expect(outcomes.filter((o) => o.kind === 'closed').length).toBe(world.closes.length);
	for (const outcome of outcomes) {
		expect(['closed', 'room-closed', 'busy']).toContain(outcome.kind);
	}
}

describe('the close (lib/close.ts over coordinate) under adversarial schedules', () => {
	it('2 to 6 closes of one room on different instances: Rocket.Chat asked once at most, the rest room-closed or busy, no claim left', async () => {
		await fc.assert(
			fc.asyncProperty(fc.scheduler(), crowd, randoms, async (s, n, rs) => {
				const world = new ScheduledWorld(s, rs);
				const outcomes = await allAtOnce(s, n, (i) => world.close(i));
				expectOneClose(world, outcomes);
				expect(world.claims.records.size).toBe(0);
				// the next close: room-closed once it was closed, else it closes (once)
				const closedBefore = world.closes.length > 0;
				const after = await s.waitFor(world.close(n));
				expect(after.kind).toBe(closedBefore ? 'room-closed' : 'closed');
				expect(world.closes.length).toBe(1);
			}),
			{ numRuns: 300 },
		);
	});

	it('a close claim left by a dead instance keeps every close out until its lease ends, then one request closes', async () => {
		await fc.assert(
			fc.asyncProperty(fc.scheduler(), few, claimAge, randoms, async (s, n, age, rs) => {
				const world = new ScheduledWorld(s, rs);
				const lapses = deadClaim(world, CLOSE_ROOM.id, age);
				const outcomes = await allAtOnce(s, n, (i) => world.close(i));
				expectOneClose(world, outcomes);
				for (const close of world.closes) {
					expect(close.at).toBeGreaterThanOrEqual(lapses);
				}
				if (lapses > T0 + LIMITS.waitMs) {
					expect(outcomes.map((o) => o.kind)).toEqual(Array(n).fill('busy'));
					for (const o of outcomes) {
						const busy = o as { retryAfterSeconds: number };
						expect(busy.retryAfterSeconds).toBeGreaterThanOrEqual(1);
						expect(busy.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil((lapses - T0) / 1000));
					}
				}
			}),
			{ numRuns: 200 },
		);
	});

	it('a store that fails anywhere: at most one close, a failed close is a 500 (never a second close); the next close is answered', async () => {
		const fault = fc.constantFrom<'ok' | 'fail-before' | 'fail-after'>('ok', 'ok', 'fail-before', 'fail-after');
		await fc.assert(
			fc.asyncProperty(fc.scheduler(), few, fc.array(fault, { maxLength: 30 }), randoms, async (s, n, faults, rs) => {
				const world = new ScheduledWorld(s, rs, faults);
				const outcomes = await allAtOnce(s, n, (i) => world.close(i));
				expect(world.closes.length).toBeLessThanOrEqual(1);
				expect(outcomes.filter((o) => o.kind === 'closed').length).toBe(world.closes.length);
				for (const outcome of outcomes) {
					expect(['closed', 'room-closed', 'busy', 'error']).toContain(outcome.kind);
				}
				healed(world);
				const closedBefore = world.closes.length > 0;
				const next = await s.waitFor(world.close(n));
				expect(next.kind).toBe(closedBefore ? 'room-closed' : 'closed');
				expect(world.closes.length).toBe(1);
			}),
			{ numRuns: 300 },
		);
	});

	it('mutating the rule (closing without the re-read under the claim) is caught', async () => {
		// the control: the same schedules with a close that trusts its first read ask Rocket.Chat twice in some
		const found = await fc
			.check(
				fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 4 }), async (s, n) => {
					const world = new ScheduledWorld(s, []);
					await allAtOnce(s, n, (i) => world.close(i, LIMITS, { trustFirstRead: true }));
					expect(world.closes.length).toBeLessThanOrEqual(1);
				}),
				{ numRuns: 300 },
			)
			.then((r) => r.failed);
		expect(found).toBe(true);
	});
});

describe('coordinateCreation, step by step', () => {
	it('uncontended: claim, read back, list, create, remove', async () => {
		const timing = new ManualTiming();
		const calls: Array<string> = [];
		const claims = new MemoryClaimStore(calls);
		const outcome = await coordinateCreation({
			claims,
			visitorId: VISITOR,
			findOpen: async () => {
				calls.push('findOpen');
				return undefined;
			},
			create: async () => {
				calls.push('create');
				return 'room-1';
			},
			deadline: timing.now() + LIMITS.waitMs,
			timing,
		});
		expect(outcome).toEqual({ kind: 'created', value: 'room-1' });
		expect(calls).toEqual(['claims.add', 'claims.list', 'findOpen', 'create', 'claims.remove']);
		expect(claims.records.size).toBe(0);
	});

	it('a winner too slow to start within startWithinMs does not create in that round; it claims afresh', async () => {
		const timing = new ManualTiming();
		const calls: Array<string> = [];
		const claims = new MemoryClaimStore(calls);
		let slow = true;
		const running = coordinateCreation({
			claims,
			visitorId: VISITOR,
			findOpen: async () => {
				calls.push('findOpen');
				if (slow) {
					slow = false;
					timing.jump(LIMITS.startWithinMs + 1);
				}
				return undefined;
			},
			create: async () => {
				calls.push('create');
				return 'room-1';
			},
			deadline: timing.now() + 10 * LIMITS.waitMs,
			timing,
		});
		expect(await timing.settle(running)).toEqual({ kind: 'created', value: 'room-1' });
		expect(calls).toEqual([
			'claims.add',
			'claims.list',
			'findOpen',
			'claims.remove',
			// a pause, a look, a new round
			'findOpen',
			'claims.add',
			'claims.list',
			'findOpen',
			'create',
			'claims.remove',
		]);
	});

	it('the creation failing removes the claim and passes the error on', async () => {
		const claims = new MemoryClaimStore();
		const timing = new ManualTiming();
		await expect(
			coordinateCreation({
				claims,
				visitorId: VISITOR,
				findOpen: async () => undefined,
				create: async () => {
					throw new Error('no-agent-online');
				},
				deadline: timing.now() + LIMITS.waitMs,
				timing,
			}),
		).rejects.toThrow('no-agent-online');
		expect(claims.records.size).toBe(0);
	});

	it('what the lease cannot prevent (docs/cluster.md): a holder slower than the lease, and a second room', async () => {
		// Outside the assumption on purpose: the first request's creation call takes longer than the lease (or its
		// clock runs behind by that much); the second takes the claim for lapsed and creates as well.
		const timing = new ManualTiming();
		const claims = new MemoryClaimStore();
		const rooms: Array<string> = [];
		let releaseFirst: () => void = () => undefined;
		const firstHeld = new Promise<void>((resolve) => {
			releaseFirst = resolve;
		});
		const run = (name: string, hold?: Promise<void>) =>
			coordinateCreation({
				claims,
				visitorId: VISITOR,
				findOpen: async () => rooms[0],
				create: async () => {
					if (hold) {
						await hold;
					}
					rooms.push(name);
					return name;
				},
				deadline: timing.now() + LIMITS.waitMs,
				timing,
			});
		const first = run('first', firstHeld);
		await timing.advance(LIMITS.leaseMs);
		const second = await timing.settle(run('second'));
		releaseFirst();
		expect([await timing.settle(first), second]).toEqual([
			{ kind: 'created', value: 'first' },
			{ kind: 'created', value: 'second' },
		]);
		expect(rooms).toEqual(['second', 'first']);
	});
});

describe('toClaim', () => {
	it('reads back a stored claim and ignores what is not one of this visitor', () => {
		const stored = { kind: 'voiproom.room-claim', claimId: 'c1', visitorId: 'v1', at: 5 };
		expect(toClaim(stored, 'v1')).toEqual({ claimId: 'c1', subject: 'v1', at: 5 });
		expect(toClaim(stored, 'v2')).toBeUndefined();
		// each use reads only its own records: a close claim of room v1 is no creation claim, nor the other way round
		const closing = { kind: 'voiproom.room-close-claim', claimId: 'c2', roomId: 'v1', at: 5 };
		expect([toClaim(closing, 'v1'), toClaim(closing, 'v1', CLOSE_CLAIMS), toClaim(stored, 'v1', CLOSE_CLAIMS)]).toEqual([
			undefined,
			{ claimId: 'c2', subject: 'v1', at: 5 },
			undefined,
		]);
		for (const bad of [
			null,
			'text',
			{},
			{ ...stored, kind: 'other' },
			{ ...stored, claimId: '' },
			{ ...stored, at: '5' },
			{ ...stored, at: Number.NaN },
		]) {
			expect(toClaim(bad, 'v1')).toBeUndefined();
		}
	});
});
