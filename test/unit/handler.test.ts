import { describe, expect, it } from '@jest/globals';
import type { IApiRequest } from '@rocket.chat/apps-engine/definition/api';
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { handleVoipRoomRequest } from '../../lib/handler';
import type { RoomSource } from '../../lib/roomSource';
import { VoipRoomRuntime } from '../../lib/runtime';
import { MemoryClaimStore } from './memoryClaims';

const mary: IVisitor = { id: 'V1', token: 'tok-mary-0123456789', username: 'guest-1', name: 'Mary', status: 'online' };
const room = {
	id: 'R1',
	type: 'l',
	visitor: mary,
	isOpen: true,
	isDefault: false,
	isReadOnly: false,
	displaySystemMessages: true,
} as unknown as ILivechatRoom;

function source(overrides: Partial<RoomSource> = {}): RoomSource {
	return {
		roomById: async (id) => (id === 'R1' ? room : undefined),
		visitorByToken: async (token) => (token === mary.token ? mary : undefined),
		openRoomsByToken: async () => [room],
		userById: async () => undefined,
		createRoom: async () => undefined,
		claims: new MemoryClaimStore(),
		...overrides,
	};
}

const agent = { id: 'A1', username: 'kim', roles: ['livechat-agent'] } as unknown as IUser;
const plain = { id: 'U1', username: 'joe', roles: ['user'] } as unknown as IUser;

function request(query: Record<string, unknown>, user: IUser | null = agent): IApiRequest {
	return { method: 'get', headers: {}, query, params: {}, content: undefined, user: user || undefined } as unknown as IApiRequest;
}

/** A fresh runtime (limit 2 per minute at a fixed clock) and a log that records. */
function setup(overrides: Partial<RoomSource> = {}) {
	const runtime = new VoipRoomRuntime(() => 1_000_000);
	runtime.apply('requests_per_minute', 2);
	const logged: Array<Array<unknown>> = [];
	const context = {
		runtime,
		source: source(overrides),
		app: { id: 'app', name: 'VoipRoom' },
		logger: { error: (...items: Array<unknown>) => logged.push(items) },
	};
	return { context, logged, call: (req: IApiRequest) => handleVoipRoomRequest(req, context) };
}

const LIMIT_HEADERS = (remaining: number) => ({
	'X-RateLimit-Limit': '2',
	'X-RateLimit-Remaining': String(remaining),
	'X-RateLimit-Reset': '1060000',
});

describe('handleVoipRoomRequest', () => {
	it('answers the room with the JSON content type and the rate-limit headers', async () => {
		const { call } = setup();
		expect(await call(request({ token: mary.token, rid: 'R1' }))).toEqual({
			status: 200,
			headers: { 'content-type': 'application/json', ...LIMIT_HEADERS(1) },
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
		expect([refused.status, refused.headers]).toEqual([429, { 'content-type': 'application/json', ...LIMIT_HEADERS(0) }]);
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
