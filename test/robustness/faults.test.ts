/**
 * A server that fails: every reader and the room creator the app calls, throwing or answering nothing (what the
 * engine does for a call the app has no permission for), on both engines. Each outcome is decided here and
 * asserted exactly: the answer (JSON 500 or the contract's 4xx), the app's log (the cause, the request's
 * parameters, the token masked), the rooms (none created by a failed request), and the next request succeeding.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import type { ApiResult, EngineName, FaultMode, Host, RcData } from '../engine/host';
import { ENGINES } from '../engine/support';
import { errorBody } from './oracle';
import type { Query } from './oracle';
import { appOwnLogEntries, ENABLED, SEED, startRobustHost, worldData } from './world';

const INTERNAL = errorBody('Internal server error');
const JSON_TYPE = 'application/json; charset=utf-8';

/** A visitor whose token is short enough that four characters of it would be most of it. */
const SHORT_TOKEN = 'q7z';

type Outcome =
	/** 500 `Internal server error`, the cause in the app's log */
	| { status: 500; cause: string }
	| { status: 400; error: string }
	/** 200 with a room created (for a visitor the failing server said had no open room) */
	| { status: 200; newRoom: true };

interface FaultCase {
	method: string;
	mode: FaultMode;
	why: string;
	query: Query;
	outcome: Outcome;
	/** how the query appears in the app's log */
	logged: Record<string, string>;
}

const BY_RID = { token: SEED.visitorToken, rid: SEED.roomId };
const BY_VISITOR = { token: SEED.visitorToken, agentId: SEED.agentId };
const CREATION = { token: SEED.lonelyVisitorToken, agentId: SEED.agentId, direction: 'inbound' };
const MARY = '8s7e…(22)';
const LONELY = 'lone…(20)';
const injected = (method: string): string => `Error: fault injected by test host: ${method}`;

const CASES: Array<FaultCase> = [
	{
		method: 'room.getById',
		mode: 'throw',
		why: 'the room reader fails',
		query: BY_RID,
		outcome: { status: 500, cause: injected('room.getById') },
		logged: { token: MARY, rid: SEED.roomId },
	},
	{
		method: 'room.getById',
		mode: 'undefined',
		why: 'no such room (the visitor exists): invalid-room',
		query: BY_RID,
		outcome: { status: 400, error: 'invalid-room' },
		logged: {},
	},
	{
		// the lookup reads the visitor only when no open room is listed for the token: the lonely visitor's case
		method: 'livechat.findVisitorByToken',
		mode: 'throw',
		why: 'the visitor reader fails',
		query: CREATION,
		outcome: { status: 500, cause: injected('livechat.findVisitorByToken') },
		logged: { token: LONELY, agentId: SEED.agentId, direction: 'inbound' },
	},
	{
		method: 'livechat.findVisitorByToken',
		mode: 'undefined',
		why: 'no such visitor: invalid-token',
		query: CREATION,
		outcome: { status: 400, error: 'invalid-token' },
		logged: {},
	},
	{
		method: 'livechat.findRooms',
		mode: 'throw',
		why: 'the open-rooms reader fails',
		query: BY_VISITOR,
		outcome: { status: 500, cause: injected('livechat.findRooms') },
		logged: { token: MARY, agentId: SEED.agentId },
	},
	{
		method: 'livechat.findRooms',
		mode: 'undefined',
		why: 'no room list at all (e.g. livechat-room.read missing) is a failure, not "no open room": 500, nothing created',
		query: BY_VISITOR,
		outcome: { status: 500, cause: 'Error: the livechat reader returned no room list (is livechat-room.read granted?)' },
		logged: { token: MARY, agentId: SEED.agentId },
	},
	{
		method: 'user.getById',
		mode: 'throw',
		why: 'the agent reader fails',
		query: CREATION,
		outcome: { status: 500, cause: injected('user.getById') },
		logged: { token: LONELY, agentId: SEED.agentId, direction: 'inbound' },
	},
	{
		method: 'user.getById',
		mode: 'undefined',
		why: 'no such agent: agent-not-found',
		query: CREATION,
		outcome: { status: 400, error: 'agent-not-found' },
		logged: {},
	},
	{
		method: 'livechat.createRoom',
		mode: 'throw',
		why: 'the room creator fails',
		query: CREATION,
		outcome: { status: 500, cause: injected('livechat.createRoom') },
		logged: { token: LONELY, agentId: SEED.agentId, direction: 'inbound' },
	},
	{
		method: 'livechat.createRoom',
		mode: 'undefined',
		why: 'the room creator gives nothing back (e.g. livechat-room.write missing): 500',
		query: CREATION,
		outcome: { status: 500, cause: 'Error: the livechat creator returned no room (is livechat-room.write granted?)' },
		logged: { token: LONELY, agentId: SEED.agentId, direction: 'inbound' },
	},
];

/** Every seed id and token: none may appear in an answer unless the request named it (or it is the answer's room). */
const SECRETS = [
	SEED.visitorToken,
	SEED.lonelyVisitorToken,
	SEED.callerToken,
	SEED.visitorId,
	SEED.lonelyVisitorId,
	SEED.roomId,
	SEED.closedRoomId,
	SEED.voipRoomId,
	SEED.agentId,
	SEED.callerId,
];

/** An error body holds no stack, no path, no id or token the caller did not send. */
function expectNoLeak(res: ApiResult, query: Query): void {
	const text = JSON.stringify(res.content);
	const sent = JSON.stringify(query);
	expect(SECRETS.filter((secret) => text.includes(secret) && !sent.includes(secret))).toEqual([]);
	expect(text).not.toMatch(/\bat .*:\d+|\.ts\b|\.js\b|\/work\/|fault injected|Error:/);
}

function addShortTokenVisitor(data: RcData): RcData {
	data.visitors.push({ _id: 'Sh0rtT0k3nV1s1tr', username: 'guest-3', token: SHORT_TOKEN, status: 'online' });
	return data;
}

describe.each(ENGINES)('faults on engine %s', (engine: EngineName) => {
	let host: Host;

	beforeAll(async () => {
		host = await startRobustHost(engine, { data: addShortTokenVisitor(worldData()) });
	}, 120000);

	afterAll(async () => {
		if (host) {
			expect(ENABLED).toContain(await host.status());
			await host.stop();
		}
	});

	afterEach(() => host.faults.clear());

	const get = (query: Query, userId: string = SEED.callerId) => host.call('voip/room', { method: 'get', query, userId });

	it.each(CASES)('$method $mode: $why; the next request succeeds', async ({ method, mode, query, outcome, logged }) => {
		const roomsBefore = host.db.rooms.map((room) => room._id);
		const logBefore = appOwnLogEntries(host).length;

		host.faults.set(method, mode);
		const res = await get(query);
		host.faults.clear();

		expect(res.headers['content-type']).toBe(JSON_TYPE);
		const newLog = appOwnLogEntries(host).slice(logBefore);
		const created = host.db.rooms.filter((room) => roomsBefore.indexOf(room._id) === -1);
		if (outcome.status === 200) {
			const body = res.content as { room: { _id: string; v: { token: string } }; newRoom: boolean };
			expect([res.status, body.newRoom, body.room.v.token]).toEqual([200, true, query.token]);
			expect(created.map((room) => room._id)).toEqual([body.room._id]);
			expect(newLog).toEqual([]);
		} else {
			expect([res.status, res.content]).toEqual([outcome.status, outcome.status === 500 ? INTERNAL : errorBody(outcome.error)]);
			expectNoLeak(res, query);
			expect(created).toEqual([]);
			if (outcome.status === 500) {
				// One entry of the app's own: what failed, with the request's parameters, the token masked.
				expect(newLog.map((entry) => entry.severity)).toEqual(['error']);
				const [message, details] = JSON.parse(newLog[0].text) as [string, { query: unknown; cause: string }];
				expect([message, details.query]).toEqual(['voip/room failed', logged]);
				expect(details.cause.split('\n')[0]).toBe(outcome.cause);
				expect(newLog[0].text).not.toContain(String(query.token));
			} else {
				expect(newLog).toEqual([]);
			}
		}

		// The server is well again: the same request succeeds.
		const next = await get(query);
		const nextBody = next.content as { room: { _id: string }; newRoom: boolean };
		expect(next.status).toBe(200);
		if (query === BY_RID) {
			expect([nextBody.room._id, nextBody.newRoom]).toEqual([SEED.roomId, false]);
		} else if (query === BY_VISITOR) {
			// The documented room (served by that agent, first of the two when a fault made a second one).
			expect([nextBody.room._id, nextBody.newRoom]).toEqual([SEED.roomId, false]);
		} else {
			expect(nextBody.newRoom).toBe(true);
		}
		// Leave the store as it was.
		host.db.rooms = host.db.rooms.filter((room) => roomsBefore.indexOf(room._id) !== -1);
	});

	it('the server refusing the creation (the agent is offline: no-agent-online) is a 500 with the cause logged', async () => {
		const logBefore = appOwnLogEntries(host).length;
		const roomsBefore = host.db.rooms.length;
		const query = { token: SEED.lonelyVisitorToken, agentId: SEED.offlineAgentId };
		const res = await get(query);
		expect([res.status, res.content]).toEqual([500, INTERNAL]);
		expectNoLeak(res, query);
		const newLog = appOwnLogEntries(host).slice(logBefore);
		expect(newLog.length).toBe(1);
		expect(newLog[0].text).toContain('Sorry, no online agents [no-agent-online]');
		expect(host.db.rooms.length).toBe(roomsBefore);
	});

	it('a failure after the room was created (the read back) still answers that room, newRoom true; the next request finds it, no second one', async () => {
		const roomsBefore = host.db.rooms.map((room) => room._id);
		host.faults.set('room.getById', 'throw');
		const res = await get(CREATION);
		host.faults.clear();
		const created = host.db.rooms.filter((room) => roomsBefore.indexOf(room._id) === -1);
		expect(created.length).toBe(1);
		expect([
			res.status,
			(res.content as { room: { _id: string }; newRoom: boolean }).room._id,
			(res.content as { newRoom: boolean }).newRoom,
		]).toEqual([200, created[0]._id, true]);
		const next = await get(CREATION);
		expect([
			next.status,
			(next.content as { room: { _id: string }; newRoom: boolean }).room._id,
			(next.content as { newRoom: boolean }).newRoom,
		]).toEqual([200, created[0]._id, false]);
		host.db.rooms = host.db.rooms.filter((room) => roomsBefore.indexOf(room._id) !== -1);
	});

	it('a short token is not written to the log in full either', async () => {
		const logBefore = appOwnLogEntries(host).length;
		host.faults.set('livechat.findVisitorByToken', 'throw');
		const res = await get({ token: SHORT_TOKEN, agentId: SEED.agentId });
		expect(res.status).toBe(500);
		const newLog = appOwnLogEntries(host).slice(logBefore);
		expect(newLog.length).toBe(1);
		const [, details] = JSON.parse(newLog[0].text) as [string, { query: unknown }];
		expect(details.query).toEqual({ token: '…(3)', agentId: SEED.agentId });
		expect(newLog[0].text).not.toContain(SHORT_TOKEN);
	});

	it('every fault at once, many times over: still serving, nothing created, the app enabled', async () => {
		const roomsBefore = host.db.rooms.length;
		for (const { method, mode } of CASES.filter((c) => c.outcome.status === 500)) {
			host.faults.set(method, mode);
		}
		const statuses = new Set<number>();
		for (let i = 0; i < 20; i++) {
			for (const query of [BY_RID, BY_VISITOR, CREATION]) {
				statuses.add((await get(query)).status);
			}
		}
		host.faults.clear();
		expect([...statuses]).toEqual([500]);
		expect(host.db.rooms.length).toBe(roomsBefore);
		expect(ENABLED).toContain(await host.status());
		const next = await get(BY_RID);
		expect(next.status).toBe(200);
	});
});
