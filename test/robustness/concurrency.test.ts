/**
 * CONTRACT §1.3.5 through the real engine: simultaneous lookups for one visitor with no open room create one
 * room (the core route could create two), and the per-visitor lock does not make other visitors wait.
 * No timing: the host holds the room creator on a promise the test controls (host.faults.hold).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import type { ApiResult, EngineName, Host } from '../engine/host';
import { ENGINES } from '../engine/support';
import { gate, tracked, until } from './sync';
import { closeOpenRoomsOf, ENABLED, SEED, startRobustHost, WORLD } from './world';

interface RoomAnswer {
	room: { _id: string; v: { token: string } };
	newRoom: boolean;
	success: true;
}

const answer = (res: ApiResult): RoomAnswer => res.content as RoomAnswer;

const visitorToken = (args: unknown[]): string | undefined => {
	const visitor = args[0] as { token?: string } | undefined;
	return visitor && visitor.token;
};

describe.each(ENGINES)('concurrency on engine %s', (engine: EngineName) => {
	let host: Host;

	beforeAll(async () => {
		host = await startRobustHost(engine);
	}, 120000);

	afterAll(async () => {
		if (host) {
			await host.stop();
		}
	});

	afterEach(() => {
		host.faults.clear();
		closeOpenRoomsOf(host, SEED.lonelyVisitorToken);
		closeOpenRoomsOf(host, WORLD.otherLonelyVisitorToken);
		host.reads.reset();
		host.calls.reset();
	});

	const lookup = (token: string) =>
		host.call('voip/room', { method: 'get', query: { token, agentId: SEED.agentId }, userId: SEED.callerId });

	it('50 simultaneous lookups for a visitor without an open room, all past "none open", create exactly one room', async () => {
		const roomsBefore = host.db.rooms.length;
		const creator = gate();
		host.faults.hold('livechat.createRoom', () => creator.promise);
		const requests = Array.from({ length: 50 }, () => lookup(SEED.lonelyVisitorToken));
		try {
			// The first request to take the visitor's lock is in the creator, held.
			await until(() => host.calls.byMethod()['livechat.createRoom'] === 1, 'the room creator called');
			// Every request has read "no open room" (50 reads), and the lock holder looked once more (1 read): the
			// 49 others all saw no room and can only be queued behind it.
			await until(() => host.reads.byMethod()['livechat.findRooms'] === 51, '51 livechat.findRooms reads');
		} finally {
			creator.open();
		}
		const answers = await Promise.all(requests);

		expect(answers.map((res) => res.status)).toEqual(Array(50).fill(200));
		const created = host.db.rooms.slice(roomsBefore);
		expect(created.map((room) => [room.t, room.open, room.v && room.v.token])).toEqual([['l', true, SEED.lonelyVisitorToken]]);
		expect(answers.map((res) => answer(res).room._id)).toEqual(Array(50).fill(created[0]._id));
		expect(answers.filter((res) => answer(res).newRoom).length).toBe(1);
		expect(answers.filter((res) => !answer(res).newRoom).length).toBe(49);
		// One creation, one read back; each waiting request looked once more, under the lock, and found it. The
		// creation's claim (docs/cluster.md) was read back once, by the creator only.
		expect(host.calls.byMethod()['livechat.createRoom']).toBe(1);
		expect(host.reads.byMethod()).toEqual({
			'livechat.findVisitorByToken': 50,
			'livechat.findRooms': 100,
			'persistence.readByAssociations': 1,
			'user.getById': 1,
			'room.getById': 1,
		});
	}, 60000);

	it('another visitor is not serialized behind a visitor whose room creation hangs', async () => {
		const creatorOfA = gate();
		let heldA = false;
		host.faults.hold('livechat.createRoom', (args) => {
			if (visitorToken(args) === SEED.lonelyVisitorToken) {
				heldA = true;
				return creatorOfA.promise;
			}
			return undefined;
		});
		const firstA = tracked(lookup(SEED.lonelyVisitorToken));
		let secondA: ReturnType<typeof tracked<ApiResult>> | undefined;
		let b: ApiResult;
		let settledMeanwhile: Array<boolean>;
		try {
			await until(() => heldA, "visitor A's room creation held");
			secondA = tracked(lookup(SEED.lonelyVisitorToken));
			// Visitor B goes all the way through (lookup, creation, read back) while A's creation hangs.
			b = await lookup(WORLD.otherLonelyVisitorToken);
			settledMeanwhile = [firstA.settled(), secondA.settled()];
		} finally {
			creatorOfA.open();
		}
		expect([b.status, answer(b).newRoom, answer(b).room.v.token]).toEqual([200, true, WORLD.otherLonelyVisitorToken]);
		expect(settledMeanwhile).toEqual([false, false]);
		const [a1, a2] = await Promise.all([firstA.promise, secondA.promise]);
		expect([a1.status, answer(a1).newRoom, a2.status, answer(a2).newRoom]).toEqual([200, true, 200, false]);
		expect(answer(a2).room._id).toBe(answer(a1).room._id);
		expect(answer(a1).room._id).not.toBe(answer(b).room._id);
		expect(host.calls.byMethod()['livechat.createRoom']).toBe(2);
	}, 60000);

	it('50 different visitors looked up at once each get a room of their own', async () => {
		const tokens = Array.from({ length: 50 }, (_, i) => `concurrent-visitor-${engine}-${i}`);
		tokens.forEach((token, i) => {
			host.db.visitors.push({
				_id: `cOnCuRrEnT${engine.replace('.', '')}${String(i).padStart(4, '0')}`,
				username: `guest-c${i}`,
				token,
				status: 'online',
			});
		});
		const answers = await Promise.all(tokens.map((token) => lookup(token)));
		expect(answers.map((res) => [res.status, answer(res).newRoom, answer(res).room.v.token])).toEqual(
			tokens.map((token) => [200, true, token]),
		);
		expect(new Set(answers.map((res) => answer(res).room._id)).size).toBe(50);
		expect(host.calls.byMethod()['livechat.createRoom']).toBe(50);
		tokens.forEach((token) => expect(closeOpenRoomsOf(host, token)).toBe(1));
	}, 60000);
});

describe('a server slower than the engine waits (1.62, runtime timeout 1 s)', () => {
	let host: Host;

	beforeAll(async () => {
		host = await startRobustHost('1.62', { runtimeTimeoutMs: 1000 });
	}, 120000);

	afterAll(async () => {
		if (host) {
			await host.stop();
		}
	});

	it('the engine gives up on the first caller; the creation still ends once, and the next caller gets that room', async () => {
		const lookup = () =>
			host.call('voip/room', {
				method: 'get',
				query: { token: SEED.lonelyVisitorToken, agentId: SEED.agentId },
				userId: SEED.callerId,
			});
		const creator = gate();
		host.faults.hold('livechat.createRoom', () => creator.promise);
		const roomsBefore = host.db.rooms.length;
		let first: ApiResult;
		let second: ReturnType<typeof tracked<ApiResult>>;
		try {
			// The engine answers for the app when its runtime does not answer in time: a plain-text 500.
			first = await lookup();
			second = tracked(lookup());
		} finally {
			creator.open();
		}
		expect([first.status, first.headers['content-type'], String(first.content)]).toEqual([
			500,
			'text/html; charset=utf-8',
			expect.stringContaining('timed out after 1000ms'),
		]);
		const next = await second.promise;
		const created = host.db.rooms.slice(roomsBefore);
		expect(created.map((room) => room.v && room.v.token)).toEqual([SEED.lonelyVisitorToken]);
		expect([next.status, answer(next).room._id, answer(next).newRoom]).toEqual([200, created[0]._id, false]);
		expect(ENABLED).toContain(await host.status());
	}, 60000);
});
