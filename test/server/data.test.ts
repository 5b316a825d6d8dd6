/** `--data FILE`: Rocket.Chat documents in JSON, dates revived, shapes checked; the users and hints picked from them. */
import * as path from 'path';

import { describe, expect, it } from '@jest/globals';

import { DataError, dataFromJson, loadDataFile, pickUsers } from './data';
import { DEMO, DEMO_USERS, demoData } from './demo';
import { buildHints } from './hints';

const EXAMPLE = path.join(__dirname, 'example-data.json');

describe('loadDataFile', () => {
	it('reads the example file: dates from $date, $numberLong and ISO strings in date fields', () => {
		const data = loadDataFile(EXAMPLE);
		expect([data.users.length, data.visitors.length, data.rooms.length, data.departments.length, (data.messages || []).length]).toEqual(
			[3, 2, 3, 1, 0],
		);
		const [live, voip] = data.rooms;
		expect(live.ts).toEqual(new Date('2024-03-01T09:00:05.000Z'));
		expect(live.lm).toEqual(new Date('2024-03-01T09:04:10.000Z'));
		expect(live.v && live.v.lastMessageTs).toEqual(new Date('2024-03-01T09:04:10.000Z'));
		expect(live.servedBy && live.servedBy.ts).toEqual(new Date('2024-03-01T09:00:20.000Z'));
		expect(voip.callStarted).toEqual(new Date(1709136005000));
		expect(live.customFields).toEqual({ crmAccount: 'ACME-0042' });
		expect(data.users[0].createdAt).toEqual(new Date('2024-01-08T09:00:00.000Z'));
		expect(data.tokens).toEqual({
			aL1c3Ag3ntAcme001: 'acme-token-alice',
			B0bMan4g3rAcme002: 'acme-token-bob',
			C4r0lPla1nAcme003: 'acme-token-carol',
		});
	});

	it('picks the agent, the manager and the user without roles among the users with a token', () => {
		expect(pickUsers(loadDataFile(EXAMPLE))).toEqual({
			agent: { id: 'aL1c3Ag3ntAcme001', token: 'acme-token-alice' },
			manager: { id: 'B0bMan4g3rAcme002', token: 'acme-token-bob' },
			plain: { id: 'C4r0lPla1nAcme003', token: 'acme-token-carol' },
		});
		expect(pickUsers(demoData())).toEqual({ agent: DEMO_USERS.agent, manager: DEMO_USERS.manager, plain: DEMO_USERS.plain });
		expect(pickUsers(dataFromJson({ users: [{ _id: 'u1', username: 'x', roles: ['admin'] }], tokens: { u1: 't' } }, 'f'))).toEqual({
			agent: { id: '', token: '' },
			manager: { id: 'u1', token: 't' },
			plain: { id: '', token: '' },
		});
	});

	it('fills what Rocket.Chat always stores and leaves plain strings outside date fields alone', () => {
		const data = dataFromJson(
			{ users: [{ _id: 'u1', username: 'x', roles: [], note: '2024-01-01T00:00:00.000Z' }], departments: [{ _id: 'd1' }] },
			'f.json',
		);
		expect(data.users[0]).toEqual({
			_id: 'u1',
			username: 'x',
			roles: [],
			note: '2024-01-01T00:00:00.000Z',
			type: 'user',
			active: true,
		});
		expect(data.departments[0]).toEqual({ _id: 'd1', enabled: true });
		expect([data.rooms, data.visitors, data.tokens]).toEqual([[], [], {}]);
	});

	it.each([
		[[], 'f.json: expected an object { users, visitors, rooms, departments, tokens }'],
		[{ room: [] }, 'f.json: unknown key "room" (expected users, visitors, rooms, departments, messages, tokens)'],
		[{ rooms: {} }, 'f.json: "rooms" must be an array of documents'],
		[{ rooms: [{ t: 'l' }] }, 'f.json: rooms[0]: "_id" must be a non-empty string'],
		[
			{ rooms: [{ _id: 'r', t: 'l', ts: 'yesterday' }] },
			'f.json: rooms[0].ts: not a date: "yesterday" (an ISO-8601 string, epoch milliseconds or { "$date": … })',
		],
		[
			{ rooms: [{ _id: 'r', t: 'l', x: { $date: 'soon' } }] },
			'f.json: rooms[0].x: not a date: "soon" (an ISO-8601 string, epoch milliseconds or { "$date": … })',
		],
		[
			{
				rooms: [
					{ _id: 'r', t: 'l' },
					{ _id: 'r', t: 'l' },
				],
			},
			'f.json: rooms[1]: _id "r" appears twice',
		],
		[
			{ users: [{ _id: 'u', username: 'x', roles: 'admin' }] },
			'f.json: users[0]: "roles" must be an array of role names, e.g. ["user", "livechat-agent"]',
		],
		[{ visitors: [{ _id: 'v', username: 'guest-1' }] }, 'f.json: visitors[0]: "token" must be a non-empty string'],
		[{ tokens: { nobody: 't' } }, 'f.json: tokens.nobody: no user has that _id'],
		[{ users: [{ _id: 'u', username: 'x', roles: [] }], tokens: { u: 1 } }, 'f.json: tokens.u must be a non-empty string'],
	])('refuses %j', (json, message) => {
		expect(() => dataFromJson(json, 'f.json')).toThrow(new DataError(message));
	});

	it('names the file when it is missing or not JSON', () => {
		expect(() => loadDataFile('/nonexistent/data.json')).toThrow(new DataError('/nonexistent/data.json: cannot read it (ENOENT)'));
		expect(() => loadDataFile(path.join(__dirname, 'index.ts'))).toThrow(DataError);
	});
});

describe('hints', () => {
	const ctx = { url: 'http://127.0.0.1:3000', appBaseUrl: 'http://127.0.0.1:3000/api/apps/public/APP', rateLimit: true };

	it('on the demo data: the documented call first, with the example room visitor token', () => {
		const hints = buildHints({ ...ctx, data: demoData(), demo: true });
		expect(hints.map((hint) => hint.title)).toEqual([
			'The documented call (Get Call Center Room: visitor token + agentId, looked up)',
			'By room id (rid decides, one read): a VoIP room, with its call fields',
			'The lookup path, as the agent serving the room (kim.jane)',
			'Room creation: a caller with no open room gets one, served by kim.jane',
			'A bad request (neither rid nor agentId)',
			'No credentials: the server refuses before the app runs',
			'/voiproom in the documented room, as the manager sam.wise (POST /api/v1/commands.run)',
			'The call ends: POST voip/room.close closes the documented room, with a comment',
		]);
		expect(hints[0].command).toBe(
			[
				`curl --location --request GET 'http://127.0.0.1:3000/api/apps/public/APP/voip/room?token=${DEMO.visitorToken}&agentId=${DEMO.callerId}' \\`,
				`--header 'X-Auth-Token: ${DEMO.callerToken}' \\`,
				`--header 'X-User-Id: ${DEMO.callerId}' \\`,
				`--header 'Content-Type: application/json'`,
			].join('\n'),
		);
	});

	it('on --data documents: calls built from them', () => {
		const hints = buildHints({ ...ctx, data: loadDataFile(EXAMPLE), demo: false });
		expect(hints.map((hint) => hint.command)).toEqual([
			"curl -s -i 'http://127.0.0.1:3000/api/apps/public/APP/voip/room?token=acme-caller-15551234&rid=Acm3L1v3ch4tR00m1' -H 'X-User-Id: aL1c3Ag3ntAcme001' -H 'X-Auth-Token: acme-token-alice'",
			"curl -s -i 'http://127.0.0.1:3000/api/apps/public/APP/voip/room?token=acme-caller-15551234&agentId=aL1c3Ag3ntAcme001' -H 'X-User-Id: aL1c3Ag3ntAcme001' -H 'X-Auth-Token: acme-token-alice'",
			"curl -s -i 'http://127.0.0.1:3000/api/apps/public/APP/voip/room?token=acme-caller-15559876&agentId=aL1c3Ag3ntAcme001&direction=inbound' -H 'X-User-Id: aL1c3Ag3ntAcme001' -H 'X-Auth-Token: acme-token-alice'",
			"curl -s -i 'http://127.0.0.1:3000/api/apps/public/APP/voip/room?token=any' -H 'X-User-Id: aL1c3Ag3ntAcme001' -H 'X-Auth-Token: acme-token-alice'",
			"curl -s -i 'http://127.0.0.1:3000/api/apps/public/APP/voip/room?token=any&rid=any'",
			[
				"curl -s -i -X POST 'http://127.0.0.1:3000/api/apps/public/APP/voip/room.close' \\",
				"  -H 'X-User-Id: aL1c3Ag3ntAcme001' -H 'X-Auth-Token: acme-token-alice' \\",
				`  -H 'Content-Type: application/json' -d '{"rid":"Acm3L1v3ch4tR00m1","token":"acme-caller-15551234","options":{"comment":"Call ended"}}'`,
			].join('\n'),
		]);
	});
});
