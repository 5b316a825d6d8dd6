import { describe, expect, it } from '@jest/globals';
import type { IApiRequest } from '@rocket.chat/apps-engine/definition/api';
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { handleRequest } from '../../lib/handler';
import type { RoomSource } from '../../lib/roomSource';
import { voipRoomCloseRoute, voipRoomRoute } from '../../lib/routes';
import { VoipRoomRuntime } from '../../lib/runtime';
import { MemoryClaimStore } from './memoryClaims';

const mary: IVisitor = { id: 'V1', token: 'tok-mary-0123456789', username: 'guest-1', name: 'Mary', status: 'online' };
const joe: IVisitor = { id: 'V2', token: 'tok-joe-0123456789x', username: 'guest-2', name: 'Joe', status: 'online' };

function livechatRoom(id: string, overrides: Record<string, unknown> = {}): ILivechatRoom {
	return {
		id,
		type: 'l',
		visitor: mary,
		isOpen: true,
		isDefault: false,
		isReadOnly: false,
		displaySystemMessages: true,
		...overrides,
	} as unknown as ILivechatRoom;
}

const room = livechatRoom('R1');

/** An in-memory server: rooms by id, closes recorded (and applied, as Rocket.Chat unsets `open`). */
function source(overrides: Partial<RoomSource> = {}, rooms: Array<ILivechatRoom> = [room]) {
	const stored = new Map(rooms.map((r) => [r.id, { ...r }]));
	const closes: Array<{ rid: string; comment: string }> = [];
	const src: RoomSource = {
		roomById: async (id) => {
			const found = stored.get(id);
			return found ? { ...found } : undefined;
		},
		visitorByToken: async (token) => [mary, joe].find((v) => v.token === token),
		openRoomsByToken: async () => [room],
		userById: async () => undefined,
		createRoom: async () => undefined,
		claims: new MemoryClaimStore(),
		closeClaims: new MemoryClaimStore(),
		closeRoom: async (closing, comment) => {
			closes.push({ rid: closing.id, comment });
			const found = stored.get(closing.id);
			if (found) {
				delete (found as { isOpen?: boolean }).isOpen;
			}
			return true;
		},
		...overrides,
	};
	return { src, closes };
}

const agent = { id: 'A1', username: 'kim', roles: ['livechat-agent'] } as unknown as IUser;
const plain = { id: 'U1', username: 'joe', roles: ['user'] } as unknown as IUser;

function request(query: Record<string, unknown>, user: IUser | null = agent): IApiRequest {
	return { method: 'get', headers: {}, query, params: {}, content: undefined, user: user || undefined } as unknown as IApiRequest;
}

function post(content: unknown, user: IUser | null = agent): IApiRequest {
	return { method: 'post', headers: {}, query: {}, params: {}, content, user: user || undefined } as unknown as IApiRequest;
}

/** A fresh runtime (limit 2 per minute at a fixed clock) and a log that records. */
function setup(overrides: Partial<RoomSource> = {}, rooms?: Array<ILivechatRoom>) {
	const runtime = new VoipRoomRuntime(() => 1_000_000);
	runtime.apply('requests_per_minute', 2);
	const logged: Array<Array<unknown>> = [];
	const { src, closes } = source(overrides, rooms);
	const context = {
		runtime,
		source: src,
		app: { id: 'app', name: 'VoipRoom' },
		logger: { error: (...items: Array<unknown>) => logged.push(items) },
	};
	return {
		context,
		logged,
		closes,
		call: (req: IApiRequest) => handleRequest(voipRoomRoute, req, context),
		close: (req: IApiRequest) => handleRequest(voipRoomCloseRoute, req, context),
	};
}

const LIMIT_HEADERS = (remaining: number) => ({
	'X-RateLimit-Limit': '2',
	'X-RateLimit-Remaining': String(remaining),
	'X-RateLimit-Reset': '1060000',
});

const JSON_TYPE = { 'content-type': 'application/json' };

describe('the pipeline with the voip/room route', () => {
	it('answers the room with the JSON content type and the rate-limit headers', async () => {
		const { call } = setup();
		expect(await call(request({ token: mary.token, rid: 'R1' }))).toEqual({
			status: 200,
			headers: { ...JSON_TYPE, ...LIMIT_HEADERS(1) },
			content: {
				room: {
					_id: 'R1',
					t: 'l',
					v: { _id: 'V1', username: 'guest-1', token: mary.token, status: 'online' },
					default: false,
					ro: false,
					sysMes: true,
					open: true,
				},
				newRoom: false,
				success: true,
			},
		});
	});

	it('checks in the core order: authentication, rate limit, parameters, role gate', async () => {
		const { call } = setup();
		expect((await call(request({}, null))).status).toBe(401);
		expect((await call(request({}, plain))).status).toBe(400);
		expect((await call(request({ token: 't', rid: 'R1' }, plain))).status).toBe(403);
		const refused = await call(request({}, plain));
		expect([refused.status, refused.headers]).toEqual([429, { ...JSON_TYPE, ...LIMIT_HEADERS(0) }]);
		expect((await call(request({ token: mary.token, rid: 'R1' }))).status).toBe(200);
	});

	it('answers 500 without details when a reader throws, and logs the cause with the token masked', async () => {
		const { call, logged } = setup({
			roomById: async () => {
				throw new Error('connection reset by 10.1.2.3');
			},
		});
		const res = await call(request({ token: mary.token, rid: 'R1' }));
		expect([res.status, res.content]).toEqual([500, { success: false, error: 'Internal server error' }]);
		expect(logged.length).toBe(1);
		const [message, details] = logged[0] as [string, { query: Record<string, unknown>; cause: string }];
		expect([message, details.query]).toEqual(['voip/room failed', { token: 'tok-…(19)', rid: 'R1' }]);
		expect(details.cause).toContain('connection reset by 10.1.2.3');
	});

	it('reads the configuration kept by the runtime, not the settings, per request', async () => {
		const { call, context } = setup();
		context.runtime.apply('allowed_roles', 'admin');
		expect((await call(request({ token: mary.token, rid: 'R1' }))).status).toBe(403);
	});
});

describe('the pipeline with the voip/room.close route', () => {
	it('closes the room with the comment and answers { rid, success }, with the rate-limit headers', async () => {
		const { close, closes } = setup();
		const res = await close(post({ rid: 'R1', token: mary.token, options: { comment: 'bye', tags: ['x'] } }));
		expect(res).toEqual({ status: 200, headers: { ...JSON_TYPE, ...LIMIT_HEADERS(1) }, content: { rid: 'R1', success: true } });
		expect(closes).toEqual([{ rid: 'R1', comment: 'bye' }]);
	});

	it('passes an empty comment when none is given', async () => {
		const { close, closes } = setup();
		expect((await close(post({ rid: 'R1', token: mary.token }))).status).toBe(200);
		expect(closes).toEqual([{ rid: 'R1', comment: '' }]);
	});

	it('checks in the core order: authentication, rate limit, body, role gate; nothing closed on the way', async () => {
		const { close, closes } = setup();
		expect((await close(post({}, null))).status).toBe(401);
		expect((await close(post({}, plain))).content).toEqual({
			success: false,
			error: "must have required property 'rid' [invalid-params]",
			errorType: 'invalid-params',
		});
		expect((await close(post({ rid: 'R1', token: mary.token }, plain))).status).toBe(403);
		expect((await close(post({ rid: 'R1', token: mary.token }, plain))).status).toBe(429);
		expect(closes).toEqual([]);
	});

	it('counts in its own bucket: voip/room at its limit leaves voip/room.close free, and the reverse', async () => {
		const { call, close } = setup();
		for (let i = 0; i < 3; i++) {
			await call(request({ token: mary.token, rid: 'R1' }));
		}
		expect((await call(request({ token: mary.token, rid: 'R1' }))).status).toBe(429);
		const closed = await close(post({ rid: 'R1', token: mary.token }));
		expect([closed.status, closed.headers]).toEqual([200, { ...JSON_TYPE, ...LIMIT_HEADERS(1) }]);
	});

	it.each<[string, Record<string, unknown>, string]>([
		['no visitor with that token', { rid: 'R1', token: 'no-such-token' }, 'invalid-token'],
		['another visitor', { rid: 'R1', token: joe.token }, 'invalid-room'],
		['no such room', { rid: 'R9', token: mary.token }, 'invalid-room'],
		['a closed room', { rid: 'R2', token: mary.token }, 'room-closed'],
		['an open VoIP room (the livechat close cannot close it)', { rid: 'V1', token: mary.token }, 'room-not-closable'],
	])('%s: 400 %s, nothing closed', async (_case, body, error) => {
		const { close, closes } = setup({}, [room, livechatRoom('R2', { isOpen: undefined }), livechatRoom('V1', { type: 'v' })]);
		const res = await close(post(body));
		expect([res.status, res.content]).toEqual([400, { success: false, error }]);
		expect(closes).toEqual([]);
	});

	it('two simultaneous closes of one room: one 200, the other room-closed, one close', async () => {
		let release: () => void = () => undefined;
		const held = new Promise<void>((resolve) => (release = resolve));
		const { close, closes, context } = setup();
		const { closeRoom } = context.source;
		context.source.closeRoom = async (closing, comment) => {
			await held;
			return closeRoom(closing, comment);
		};
		const first = close(post({ rid: 'R1', token: mary.token }));
		const second = close(post({ rid: 'R1', token: mary.token }));
		await new Promise((resolve) => setImmediate(resolve));
		release();
		const answers = await Promise.all([first, second]);
		expect(answers.map((res) => [res.status, res.content])).toEqual([
			[200, { rid: 'R1', success: true }],
			[400, { success: false, error: 'room-closed' }],
		]);
		expect(closes).toEqual([{ rid: 'R1', comment: '' }]);
	});

	it.each<[string, unknown]>([
		["an Error (1.42: the server's own)", new Error('error-room-closed')],
		["an error whose message holds it (Deno: the runtime's wrapping)", { message: 'Error: error-room-closed', code: -32000 }],
	])('the updater reporting the room already closed, as %s: 400 room-closed, nothing logged', async (_case, thrown) => {
		const { close, logged } = setup({
			closeRoom: async () => {
				throw thrown;
			},
		});
		const res = await close(post({ rid: 'R1', token: mary.token }));
		expect([res.status, res.content]).toEqual([400, { success: false, error: 'room-closed' }]);
		expect(logged).toEqual([]);
	});

	it.each<[string, () => Promise<boolean | undefined>, string]>([
		[
			'throws',
			async () => {
				throw new Error('Error removing inquiry');
			},
			'Error: Error removing inquiry',
		],
		['answers false', async () => false, 'Error: the livechat updater did not close the room: it answered false'],
		[
			'answers nothing',
			async () => undefined,
			'Error: the livechat updater did not close the room: it answered nothing (is livechat-room.write granted?)',
		],
	])('the updater %s: 500, the cause in the log, the token masked', async (_case, closeRoom, cause) => {
		const { close, logged } = setup({ closeRoom });
		const res = await close(post({ rid: 'R1', token: mary.token, options: { comment: 'private words', tags: ['a', 'b'] } }));
		expect([res.status, res.content]).toEqual([500, { success: false, error: 'Internal server error' }]);
		expect(logged.length).toBe(1);
		const [message, details] = logged[0] as [string, { body: Record<string, unknown>; cause: string }];
		expect([message, details.body]).toEqual([
			'voip/room.close failed',
			{ rid: 'R1', token: 'tok-…(19)', comment: '(13 characters)', tags: 2 },
		]);
		expect(details.cause.split('\n')[0]).toBe(cause);
		expect(JSON.stringify(logged)).not.toContain(mary.token);
		expect(JSON.stringify(logged)).not.toContain('private words');
	});
});
