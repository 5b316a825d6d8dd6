/**
 * CONTRACT §5 (`POST voip/room.close`), every row, through the packaged zip in the real Apps-Engine of every engine
 * the suite runs, with Rocket.Chat's close behind the livechat bridge (host/closeRoom.ts). One host per engine; the
 * store is the seed again before every case.
 */
import * as querystring from 'querystring';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';

import { ENGINE_TABLE } from './engines';
import type { EngineName, Host, RcRoom } from './host';
import { seedData, startHost } from './host';
import type { RoomBody } from './support';
import { ENGINES, getVoipRoom, restoreStore, SEED, UNCONTENDED_CLOSE_CALLS } from './support';
import { zipPath } from '../../tools/package';

const JSON_TYPE = 'application/json; charset=utf-8';
const PARAMS_ERROR = (message: string) => ({ success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' });
const ERROR = (error: string) => ({ success: false, error });
const CLOSED = (rid: string) => ({ rid, success: true });

const MARY = { rid: SEED.roomId, token: SEED.visitorToken };

export function postClose(host: Host, content: unknown, userId: string | null = SEED.callerId, headers: Record<string, string> = {}) {
	return host.call('voip/room.close', { method: 'post', content, userId, headers: { 'content-type': 'application/json', ...headers } });
}

/** The stored room (the live document). */
function stored(host: Host, rid: string): RcRoom {
	const room = host.db.rooms.find((candidate) => candidate._id === rid);
	if (!room) {
		throw new Error(`no room ${rid}`);
	}
	return room;
}

function closeMessages(host: Host, rid: string) {
	return (host.db.messages || []).filter((message) => message.rid === rid && message.t === 'livechat-close');
}

describe.each(ENGINES)('voip/room.close on engine %s', (engine: EngineName) => {
	const sevenX = ENGINE_TABLE[engine].flavor === '7.x';
	let host: Host;

	beforeAll(async () => {
		host = await startHost({ engine, zipPath: zipPath(), data: seedData() });
		await host.setSetting('requests_per_minute', 0);
	}, 120000);

	afterAll(async () => {
		if (host) {
			await host.stop();
		}
	});

	beforeEach(() => restoreStore(host, seedData()));

	it('is registered: POST voip/room.close, public, unsecure, authRequired, with a close call as its example', () => {
		expect(host.registeredApis().map((api) => api.path)).toEqual(['voip/room', 'voip/room.close']);
		expect(host.registeredApis().find((api) => api.path === 'voip/room.close')).toEqual({
			appId: host.appId,
			path: 'voip/room.close',
			computedPath: `/api/apps/public/${host.appId}/voip/room.close`,
			authRequired: true,
			visibility: ApiVisibility.PUBLIC,
			security: ApiSecurity.UNSECURE,
			methods: ['post'],
			examples: {
				'close the call room': {
					content: {
						rid: 'c9YW3rejo7HeL6ZDW',
						token: '867ad6a09fc4af29f6f1f2a9cf1deaba',
						options: { comment: 'Call ended: caller hung up', tags: ['voip', 'wrap-up'] },
					},
					headers: {
						'X-User-Id': '6vHSSqdBHdm2R4gfi',
						'X-Auth-Token': 'xS8jnLS2YzVy-_w8T_S0WnQm5SnADjACa7gbXmcOcLY',
						'Content-Type': 'application/json',
					},
				},
			},
		});
		expect(host.deniedPermissions()).toEqual([]);
	});

	it('success: 200 { rid, success }, in three reads and one close; the room is stored closed as Rocket.Chat closes it', async () => {
		const before = stored(host, SEED.roomId);
		const untouched = { msgs: before.msgs, servedBy: before.servedBy, departmentId: before.departmentId, ts: before.ts };
		const from = Date.now();
		const res = await postClose(host, { ...MARY, options: { comment: 'Call ended: caller hung up' } });
		const to = Date.now();
		expect([res.status, res.headers['content-type'], res.content]).toEqual([200, JSON_TYPE, CLOSED(SEED.roomId)]);
		// the room, then the close claims of the room (issue 20: one close across instances) and the room again under the claim
		expect(host.reads.byMethod()).toEqual({ 'room.getById': 2, 'persistence.readByAssociations': 1 });
		expect(host.calls.byMethod()).toEqual(UNCONTENDED_CLOSE_CALLS);
		expect(host.db.appsPersistence).toEqual([]);

		const room = stored(host, SEED.roomId);
		const closedAt = room.closedAt as Date;
		expect(closedAt.getTime()).toBeGreaterThanOrEqual(from);
		expect(closedAt.getTime()).toBeLessThanOrEqual(to);
		const metrics = room.metrics as Record<string, unknown>;
		expect({
			open: 'open' in room,
			closer: room.closer,
			closedBy: room.closedBy,
			vStatus: room.v && room.v.status,
			chatDuration: metrics.chatDuration,
			serviceTimeDuration: 'serviceTimeDuration' in metrics,
			tags: 'tags' in room,
			updatedAt: room._updatedAt,
		}).toEqual({
			open: false,
			closer: 'visitor',
			closedBy: { _id: SEED.visitorId, username: 'guest-165' },
			vStatus: 'offline',
			chatDuration: (closedAt.getTime() - (before.ts as Date).getTime()) / 1000,
			serviceTimeDuration: false,
			tags: false,
			updatedAt: closedAt,
		});
		expect({ msgs: room.msgs, servedBy: room.servedBy, departmentId: room.departmentId, ts: room.ts }).toEqual(untouched);
	});

	it('the comment reaches the updater: the closing message of the room carries it, from the visitor', async () => {
		await postClose(host, { ...MARY, options: { comment: 'Wrap-up: callback tomorrow 10:00 ✓' } });
		const messages = closeMessages(host, SEED.roomId);
		expect(messages.map(({ msg, u, groupable, token }) => ({ msg, u, groupable, token }))).toEqual([
			{
				msg: 'Wrap-up: callback tomorrow 10:00 ✓',
				u: { _id: SEED.visitorId, username: 'guest-165' },
				groupable: false,
				token: sevenX ? SEED.visitorToken : undefined,
			},
		]);
	});

	it('without options the comment is empty', async () => {
		expect((await postClose(host, MARY)).status).toBe(200);
		expect(closeMessages(host, SEED.roomId).map((message) => message.msg)).toEqual(['']);
	});

	it('tags are validated and not applied: the closed room has no tags', async () => {
		const res = await postClose(host, { ...MARY, options: { comment: 'c', tags: ['sales', 'callback'] } });
		expect(res.status).toBe(200);
		expect('tags' in stored(host, SEED.roomId)).toBe(false);
	});

	it('voip/room with that rid then returns the closed room: no open key, closedAt, closer, closedBy', async () => {
		await postClose(host, MARY);
		const closedAt = (stored(host, SEED.roomId).closedAt as Date).toISOString();
		const res = await getVoipRoom(host, MARY);
		const room = (res.content as RoomBody).room;
		expect(res.status).toBe(200);
		expect({ open: 'open' in room, closedAt: room.closedAt, closer: room.closer, closedBy: room.closedBy }).toEqual({
			open: false,
			closedAt,
			closer: 'visitor',
			closedBy: { _id: SEED.visitorId, username: 'guest-165' },
		});
		expect((room.metrics as Record<string, unknown>).chatDuration).toBe(
			(stored(host, SEED.roomId).metrics as Record<string, unknown>).chatDuration,
		);
	});

	it('/voiproom then shows the room closed', async () => {
		const status = async (): Promise<Array<string>> => {
			const messages = await host.command('voiproom', { userId: SEED.callerId, roomId: SEED.roomId, args: [] });
			const lines = (messages.length === 1 ? messages[0].message.text || '' : '').split('\n');
			return lines.filter((line) => line.startsWith('Status: '));
		};
		expect(await status()).toEqual(['Status: open, waiting for an answer']);
		await postClose(host, MARY);
		expect(await status()).toEqual(['Status: closed']);
	});

	it('a form-encoded body, as Rocket.Chat hands it (express.urlencoded, not extended): closed', async () => {
		const form = { ...querystring.parse(`rid=${SEED.roomId}&token=${SEED.visitorToken}`) };
		const res = await postClose(host, form, SEED.callerId, { 'content-type': 'application/x-www-form-urlencoded' });
		expect([res.status, res.content]).toEqual([200, CLOSED(SEED.roomId)]);
		expect('open' in stored(host, SEED.roomId)).toBe(false);
	});

	it.each<[string, string, unknown]>([
		['options cannot come as form fields', `rid=${SEED.roomId}&token=t&options=x`, PARAMS_ERROR("'options' must be an object")],
		[
			'nor as bracketed form fields (not extended: no nesting)',
			`rid=${SEED.roomId}&token=t&options%5Bcomment%5D=x`,
			PARAMS_ERROR("must NOT have additional properties: 'options[comment]'"),
		],
		[
			'a repeated form field arrives as a list',
			`rid=${SEED.roomId}&rid=${SEED.roomId}&token=t`,
			PARAMS_ERROR("'rid' must be a string, not a list (given more than once?)"),
		],
	])('a form-encoded body: %s', async (_case, text, body) => {
		const res = await postClose(host, { ...querystring.parse(text) }, SEED.callerId, {
			'content-type': 'application/x-www-form-urlencoded',
		});
		expect([res.status, res.content]).toEqual([400, body]);
		expect(stored(host, SEED.roomId).open).toBe(true);
	});

	it.each<[string, unknown, string]>([
		['no body (express hands {})', {}, "must have required property 'rid'"],
		['a body that is a JSON array', [MARY], "the body must be a JSON object with 'rid' and 'token'"],
		['an unknown field', { ...MARY, agentId: SEED.agentId }, "must NOT have additional properties: 'agentId'"],
		['missing rid', { token: SEED.visitorToken }, "must have required property 'rid'"],
		['missing token', { rid: SEED.roomId }, "must have required property 'token'"],
		['a rid that is not a string', { rid: 42, token: SEED.visitorToken }, "'rid' must be a string"],
		['an empty rid', { rid: '', token: SEED.visitorToken }, "'rid' must NOT be empty"],
		['a token that is not a string', { rid: SEED.roomId, token: { $ne: null } }, "'token' must be a string"],
		['an empty token', { rid: SEED.roomId, token: '' }, "'token' must NOT be empty"],
		['a token over 256 characters', { rid: SEED.roomId, token: 'x'.repeat(257) }, "'token' must NOT have more than 256 characters"],
		['a rid over 256 characters', { rid: 'r'.repeat(257), token: SEED.visitorToken }, "'rid' must NOT have more than 256 characters"],
		['options that are not an object', { ...MARY, options: 'wrap-up' }, "'options' must be an object"],
		[
			'an unknown option',
			{ ...MARY, options: { comment: 'c', closer: 'agent' } },
			"must NOT have additional properties: 'options.closer'",
		],
		['a comment that is not a string', { ...MARY, options: { comment: ['c'] } }, "'options.comment' must be a string"],
		[
			'a comment over 4096 characters',
			{ ...MARY, options: { comment: 'c'.repeat(4097) } },
			"'options.comment' must NOT have more than 4096 characters",
		],
		['tags that are not an array', { ...MARY, options: { tags: 'sales' } }, "'options.tags' must be an array"],
		[
			'more than 50 tags',
			{ ...MARY, options: { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) } },
			"'options.tags' must NOT have more than 50 items",
		],
		['an empty tag', { ...MARY, options: { tags: ['sales', ''] } }, "'options.tags[1]' must NOT be empty"],
		['a tag that is not a string', { ...MARY, options: { tags: [7] } }, "'options.tags[0]' must be a string"],
		[
			'a tag over 128 characters',
			{ ...MARY, options: { tags: ['t'.repeat(129)] } },
			"'options.tags[0]' must NOT have more than 128 characters",
		],
	])('invalid-params: %s; nothing read, nothing closed', async (_case, content, message) => {
		const res = await postClose(host, content);
		expect([res.status, res.headers['content-type'], res.content]).toEqual([400, JSON_TYPE, PARAMS_ERROR(message)]);
		expect(host.calls.count()).toBe(0);
		expect(stored(host, SEED.roomId).open).toBe(true);
	});

	it.each<[string, Record<string, string>, string, Record<string, number>]>([
		[
			'no visitor with that token: invalid-token',
			{ rid: SEED.roomId, token: 'no-such-visitor-token' },
			'invalid-token',
			{ 'room.getById': 1, 'livechat.findVisitorByToken': 1 },
		],
		[
			"another visitor's room: invalid-room",
			{ rid: SEED.roomId, token: SEED.lonelyVisitorToken },
			'invalid-room',
			{ 'room.getById': 1, 'livechat.findVisitorByToken': 1 },
		],
		[
			'a room that is not omnichannel: invalid-room',
			{ rid: SEED.channelId, token: SEED.visitorToken },
			'invalid-room',
			{ 'room.getById': 1, 'livechat.findVisitorByToken': 1 },
		],
		[
			'no such room: invalid-room',
			{ rid: 'NoSuchRoom1234567', token: SEED.visitorToken },
			'invalid-room',
			{ 'room.getById': 1, 'livechat.findVisitorByToken': 1 },
		],
		['a closed room: room-closed', { rid: SEED.closedRoomId, token: SEED.visitorToken }, 'room-closed', { 'room.getById': 1 }],
		[
			'an open VoIP room: room-not-closable (Rocket.Chat closes livechat rooms only)',
			{ rid: SEED.voipRoomId, token: SEED.visitorToken },
			'room-not-closable',
			{ 'room.getById': 1 },
		],
	])('%s; nothing closed', async (_case, content, error, reads) => {
		const rooms = JSON.stringify(host.db.rooms);
		const res = await postClose(host, content);
		expect([res.status, res.content]).toEqual([400, ERROR(error)]);
		expect(host.reads.byMethod()).toEqual(reads);
		expect(host.calls.byMethod()['livechat.closeRoom']).toBeUndefined();
		expect(JSON.stringify(host.db.rooms)).toBe(rooms);
	});

	it('a room closed by a first call is room-closed for the second', async () => {
		expect((await postClose(host, MARY)).status).toBe(200);
		const again = await postClose(host, MARY);
		expect([again.status, again.content]).toEqual([400, ERROR('room-closed')]);
		expect(closeMessages(host, SEED.roomId).length).toBe(1);
	});

	it('the updater reporting the room already closed (error-room-closed, as 7.x throws it), through the engine: 400 room-closed, nothing logged', async () => {
		host.faults.hold('livechat.closeRoom', () => Promise.reject(new Error('error-room-closed')));
		try {
			const res = await postClose(host, MARY);
			expect([res.status, res.content]).toEqual([400, ERROR('room-closed')]);
		} finally {
			host.faults.clear();
		}
		expect(host.logText()).not.toContain('voip/room.close failed');
		expect(host.db.appsPersistence).toEqual([]);
	});

	it(`a close racing an agent's close from outside the app (inside Rocket.Chat's window): ${sevenX ? '400 room-closed, closed once (the transaction refuses the second)' : '200, and Rocket.Chat closes twice (6.x writes unconditionally)'}`, async () => {
		host.faults.hold('livechat.closeRoom', () => host.closeAsAgent(SEED.roomId, SEED.agentId));
		let res;
		try {
			res = await postClose(host, MARY);
		} finally {
			host.faults.clear();
		}
		const room = stored(host, SEED.roomId);
		const messages = closeMessages(host, SEED.roomId);
		if (sevenX) {
			expect([res.status, res.content]).toEqual([400, ERROR('room-closed')]);
			expect([room.closer, messages.map((message) => message.u && message.u._id)]).toEqual(['user', [SEED.agentId]]);
		} else {
			expect([res.status, res.content]).toEqual([200, CLOSED(SEED.roomId)]);
			expect([room.closer, messages.map((message) => message.u && message.u._id)]).toEqual([
				'visitor',
				[SEED.agentId, SEED.visitorId],
			]);
		}
		expect(host.logText()).not.toContain('voip/room.close failed');
	});

	it('the updater failing while the room stays open: 500, the cause in the log', async () => {
		host.faults.set('livechat.closeRoom', 'throw', 1);
		const res = await postClose(host, MARY);
		expect([res.status, res.content]).toEqual([500, ERROR('Internal server error')]);
		expect(host.logText()).toContain('fault injected by test host: livechat.closeRoom');
		expect(stored(host, SEED.roomId).open).toBe(true);
		expect(host.db.appsPersistence).toEqual([]);
	});

	it('401 without a user; 403 for a user without an allowed role, nothing read', async () => {
		const anonymous = await postClose(host, MARY, null);
		expect([anonymous.status, anonymous.content]).toEqual([401, ERROR('You must be logged in to do this.')]);
		const plain = await postClose(host, MARY, SEED.plainUserId);
		expect([plain.status, plain.content]).toEqual([
			403,
			ERROR('User does not have the permissions required for this action [error-unauthorized]'),
		]);
		expect(host.calls.count()).toBe(0);
		expect(stored(host, SEED.roomId).open).toBe(true);
	});

	it('429 past the limit, with the headers; its own bucket: voip/room still answers for the same caller', async () => {
		await host.setSetting('requests_per_minute', 2);
		try {
			const bad = { rid: SEED.closedRoomId, token: SEED.visitorToken };
			const answers = [];
			for (let i = 0; i < 3; i++) {
				answers.push(await postClose(host, bad, SEED.agentId));
			}
			expect(answers.map((res) => [res.status, res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining']])).toEqual([
				[400, '2', '1'],
				[400, '2', '0'],
				[429, '2', '0'],
			]);
			expect(answers[2].content).toEqual(
				ERROR(
					expect.stringMatching(
						/^Error, too many requests\. Please slow down\. You must wait \d+ seconds before trying this endpoint again\. \[error-too-many-requests\]$/,
					) as unknown as string,
				),
			);
			const room = await getVoipRoom(host, MARY, SEED.agentId);
			expect([room.status, room.headers['x-ratelimit-remaining']]).toEqual([200, '1']);
		} finally {
			await host.setSetting('requests_per_minute', 0);
		}
	});
});
