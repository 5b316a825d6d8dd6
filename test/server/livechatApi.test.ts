/**
 * The livechat visitor routes of the stand-in (./livechatApi.ts), as Rocket.Chat answers them
 * (apps/meteor/app/livechat/server/api/v1/visitor.ts): registration, and the removal that refuses while the visitor
 * has an open room and otherwise takes every room of the visitor with it. The routes do not depend on the engine:
 * the in-process one serves them.
 */
import { describe, expect, it } from '@jest/globals';

import type { RunningServer } from './index';
import { DEMO } from './index';
import { auth, serverPerSuite } from './support';

async function call(url: string, method: string, body?: unknown): Promise<{ status: number; body: unknown }> {
	const res = await fetch(url, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, body: (await res.json()) as unknown };
}

describe('POST/DELETE /api/v1/livechat/visitor (engine 1.42)', () => {
	let server: RunningServer;
	serverPerSuite({ engine: '1.42', port: 0, rateLimit: false }, (started) => (server = started));

	it('registers a visitor without credentials, answers it; the same token again updates it', async () => {
		const first = await call(`${server.url}/api/v1/livechat/visitor`, 'POST', { visitor: { token: 'lc-test-1', name: 'First' } });
		expect(first.status).toBe(200);
		const visitor = (first.body as { visitor: Record<string, unknown> }).visitor;
		expect(visitor).toMatchObject({ token: 'lc-test-1', name: 'First', status: 'online', username: 'guest-167' });
		expect(Object.keys(first.body as object)).toEqual(['visitor', 'success']);
		const again = await call(`${server.url}/api/v1/livechat/visitor`, 'POST', { visitor: { token: 'lc-test-1', name: 'Second' } });
		expect((again.body as { visitor: Record<string, unknown> }).visitor).toMatchObject({ _id: visitor._id, name: 'Second' });
		expect(server.host.db.visitors.filter((v) => v.token === 'lc-test-1')).toHaveLength(1);
	});

	it.each([
		[
			{ visitor: { token: '  ' } },
			{ success: false, error: 'Token cannot be empty [error-invalid-token]', errorType: 'error-invalid-token' },
		],
		[{ visitor: {} }, { success: false, error: 'Match error: Expected string, got undefined in field visitor.token' }],
		[{}, { success: false, error: 'Match error: Expected object, got undefined in field visitor' }],
	])('%j: 400', async (body, answer) => {
		expect(await call(`${server.url}/api/v1/livechat/visitor`, 'POST', body)).toEqual({ status: 400, body: answer });
	});

	it('DELETE: an unknown token is invalid-token; an open room refuses; closed, the visitor goes with all its rooms', async () => {
		expect(await call(`${server.url}/api/v1/livechat/visitor/no-such-token`, 'DELETE')).toEqual({
			status: 400,
			body: { success: false, error: '[invalid-token]', errorType: 'invalid-token' },
		});
		// the seed's visitor Mary has an open room (the documented one) and a closed one
		const refused = await call(`${server.url}/api/v1/livechat/visitor/${DEMO.visitorToken}`, 'DELETE');
		expect(refused).toEqual({
			status: 400,
			body: {
				success: false,
				error: 'Cannot remove visitors with opened rooms [visitor-has-open-rooms]',
				errorType: 'visitor-has-open-rooms',
			},
		});
		const close = await fetch(`${server.appBaseUrl}/voip/room.close`, {
			method: 'POST',
			headers: { ...auth({ id: DEMO.callerId, token: DEMO.callerToken }), 'Content-Type': 'application/json' },
			body: JSON.stringify({ rid: DEMO.roomId, token: DEMO.visitorToken }),
		});
		expect(close.status).toBe(200);
		const rooms = server.host.db.rooms
			.filter((room) => room.t === 'l' && room.v && room.v.token === DEMO.visitorToken)
			.map((room) => room._id);
		expect(rooms.length).toBeGreaterThan(1);
		const removed = await call(`${server.url}/api/v1/livechat/visitor/${DEMO.visitorToken}`, 'DELETE');
		expect(removed.status).toBe(200);
		expect(removed.body).toEqual({
			visitor: { _id: DEMO.visitorId, ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
			success: true,
		});
		expect(server.host.db.visitors.some((v) => v.token === DEMO.visitorToken)).toBe(false);
		expect(server.host.db.rooms.some((room) => !!room.v && room.v.token === DEMO.visitorToken)).toBe(false);
		expect((server.host.db.messages || []).some((message) => rooms.includes(message.rid))).toBe(false);
	});
});
