/**
 * CONTRACT §1, every row, through the packaged zip installed in the real Apps-Engine: 1.62.0 (Deno, as
 * Rocket.Chat 7.x/8.x) and 1.42.1 (in-process, as 6.x), with Rocket.Chat documents behind converters that
 * behave as Rocket.Chat's. One table of cases runs on both engines.
 */
import { describe, expect, it } from '@jest/globals';
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';

import type { EngineName, Host } from './host';
import type { RoomBody } from './support';
import { ENGINE_TABLE } from './engines';
import { appErrorLog, documentedResponseAsServed, ENGINES, getVoipRoom, SEED, withHost } from './support';

const NOW_OPEN_SECOND_ROOM = 'SecondOpenRoomOfMary';

const PARAMS_ERROR = (message: string) => ({ success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' });

describe.each(ENGINES)('voip/room on engine %s', (engine: EngineName) => {
	const run = <T>(setup: Parameters<typeof withHost>[1], test: (host: Host) => Promise<T>) => withHost(engine, setup, test);

	it('is installed and enabled from the packaged zip, asking only for its permissions', () =>
		run({}, async (host) => {
			expect(['auto_enabled', 'manually_enabled']).toContain(await host.status());
			expect(host.deniedPermissions()).toEqual([]);
		}));

	it('registers GET voip/room: public, unsecure, authRequired, with the documented call as examples', () =>
		run({}, async (host) => {
			const headers = { 'X-User-Id': '6vHSSqdBHdm2R4gfi', 'X-Auth-Token': 'xS8jnLS2YzVy-_w8T_S0WnQm5SnADjACa7gbXmcOcLY' };
			expect(host.registeredApis().filter((api) => api.path === 'voip/room')).toEqual([
				{
					appId: host.appId,
					path: 'voip/room',
					computedPath: `/api/apps/public/${host.appId}/voip/room`,
					authRequired: true,
					visibility: ApiVisibility.PUBLIC,
					security: ApiSecurity.UNSECURE,
					methods: ['get'],
					examples: {
						'by room id': { query: { token: '867ad6a09fc4af29f6f1f2a9cf1deaba', rid: 'c9YW3rejo7HeL6ZDW' }, headers },
						'by visitor and agent': {
							query: { token: '867ad6a09fc4af29f6f1f2a9cf1deaba', agentId: '6vHSSqdBHdm2R4gfi' },
							headers,
						},
					},
				},
			]);
		}));

	describe('resolution', () => {
		it('rid: answers the documented body (but servedBy.ts), in one read', () =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
				expect(res.status).toBe(200);
				expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
				expect(res.content).toEqual(documentedResponseAsServed());
				expect(JSON.stringify(res.content)).toBe(JSON.stringify(documentedResponseAsServed()));
				expect(host.reads.byMethod()).toEqual({ 'room.getById': 1 });
			}));

		it('token + agentId + rid together (the documented curl): rid decides, one read', () =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.visitorToken, agentId: SEED.callerId, rid: SEED.roomId });
				expect([res.status, (res.content as RoomBody).room._id, (res.content as RoomBody).newRoom]).toEqual([
					200,
					SEED.roomId,
					false,
				]);
				expect(host.reads.count()).toBe(1);
			}));

		it('rid: a closed room comes back, newRoom false', () =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.closedRoomId });
				const body = res.content as RoomBody;
				expect([res.status, body.room._id, body.room.open, body.room.closedAt, body.newRoom]).toEqual([
					200,
					SEED.closedRoomId,
					false,
					'2021-06-01T10:30:00.000Z',
					false,
				]);
			}));

		it('rid: a VoIP room comes back with its call fields', () =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.voipRoomId });
				const room = (res.content as RoomBody).room;
				expect(res.status).toBe(200);
				expect([room.t, room.queue, room.direction, room.callUniqueId, room.callStarted, room.callDuration]).toEqual([
					'v',
					'support',
					'inbound',
					'1625904000.42',
					'2021-07-10T08:00:01.000Z',
					300000,
				]);
			}));

		it('lookup: the open room served by agentId, in one read (rooms listed by the token alone, as Rocket.Chat lists them)', () =>
			run({}, async (host) => {
				const listedFor: unknown[] = [];
				host.faults.hold('livechat.findRooms', (args) => {
					listedFor.push(args[0]);
				});
				const res = await getVoipRoom(host, { token: SEED.visitorToken, agentId: SEED.agentId });
				expect(res.status).toBe(200);
				expect(res.content).toEqual(documentedResponseAsServed());
				expect(host.reads.byMethod()).toEqual({ 'livechat.findRooms': 1 });
				// the bridge got a visitor holding only the token, and found the room from it (the host's bridge reads
				// nothing else, as LivechatRooms.findOpenByVisitorToken in Rocket.Chat's bridge)
				expect(listedFor).toEqual([{ token: SEED.visitorToken }]);
			}));

		it('lookup: a visitor with two open rooms gets the agent one, else the most recent', () =>
			run(
				{
					data: (data) => {
						data.rooms.push({
							_id: NOW_OPEN_SECOND_ROOM,
							t: 'l',
							fname: 'Mary',
							v: { _id: SEED.visitorId, username: 'guest-165', token: SEED.visitorToken, status: 'offline' },
							open: true,
							ts: new Date('2021-08-01T00:00:00.000Z'),
							_updatedAt: new Date('2021-08-01T00:00:00.000Z'),
							servedBy: { _id: SEED.callerId, username: 'cti.connector', ts: new Date('2021-08-01T00:00:00.000Z') },
							msgs: 0,
						});
					},
				},
				async (host) => {
					const byAgent = await getVoipRoom(host, { token: SEED.visitorToken, agentId: SEED.agentId });
					const byOther = await getVoipRoom(host, { token: SEED.visitorToken, agentId: SEED.offlineAgentId });
					expect([(byAgent.content as RoomBody).room._id, (byOther.content as RoomBody).room._id]).toEqual([
						SEED.roomId,
						NOW_OPEN_SECOND_ROOM,
					]);
				},
			));

		it('creation: no open room → a livechat room for that visitor, served by that agent, with the app as source', () =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.lonelyVisitorToken, agentId: SEED.agentId, direction: 'outbound' });
				const body = res.content as RoomBody;
				expect([res.status, body.newRoom, body.success]).toEqual([200, true, true]);
				const stored = host.db.rooms.find((room) => room._id === body.room._id);
				expect(stored).toBeDefined();
				expect(stored && [stored.t, stored.open, stored.v && stored.v._id, stored.servedBy && stored.servedBy._id]).toEqual([
					'l',
					true,
					SEED.lonelyVisitorId,
					SEED.agentId,
				]);
				expect(stored && stored.source).toEqual({ type: 'app', id: host.appId, alias: 'VoipRoom' });
				expect(body.room.source).toEqual({ type: 'app', id: host.appId, alias: 'VoipRoom' });
				expect([
					body.room.t,
					(body.room.v as { token: string }).token,
					(body.room.servedBy as { username: string }).username,
				]).toEqual(['l', SEED.lonelyVisitorToken, 'kim.jane']);
				// Rocket.Chat 7.x and later store custom fields; 6.x keeps only the source.
				const customFields = ENGINE_TABLE[engine].flavor === '7.x' ? { direction: 'outbound' } : undefined;
				expect([stored && stored.customFields, body.room.customFields]).toEqual([customFields, customFields]);
				// The next lookup finds it instead of creating another.
				const again = await getVoipRoom(host, { token: SEED.lonelyVisitorToken, agentId: SEED.agentId });
				expect([(again.content as RoomBody).room._id, (again.content as RoomBody).newRoom]).toEqual([body.room._id, false]);
				expect(host.db.rooms.filter((room) => room.v && room.v._id === SEED.lonelyVisitorId).length).toBe(1);
			}));

		it('creation off through the setting: invalid-room, nothing created', () =>
			run({ settings: { create_room_when_none_open: false } }, async (host) => {
				const before = host.db.rooms.length;
				const res = await getVoipRoom(host, { token: SEED.lonelyVisitorToken, agentId: SEED.agentId });
				expect([res.status, res.content]).toEqual([400, { success: false, error: 'invalid-room' }]);
				expect(host.db.rooms.length).toBe(before);
			}));

		it.each([
			['a user without the livechat-agent role', SEED.plainUserId],
			['an unknown agent', 'NoSuchUserId'],
		])('creation for %s: agent-not-found, nothing created', (_case, agentId) =>
			run({}, async (host) => {
				const before = host.db.rooms.length;
				const res = await getVoipRoom(host, { token: SEED.lonelyVisitorToken, agentId });
				expect([res.status, res.content]).toEqual([400, { success: false, error: 'agent-not-found' }]);
				expect(host.db.rooms.length).toBe(before);
			}),
		);
	});

	describe('errors (CONTRACT §1.5)', () => {
		it.each<[string, Record<string, unknown>, number, unknown]>([
			['missing token', { agentId: SEED.agentId }, 400, PARAMS_ERROR("must have required property 'token'")],
			['neither rid nor agentId', { token: SEED.visitorToken }, 400, PARAMS_ERROR("must have required property 'agentId'")],
			[
				'an unknown parameter',
				{ token: 't', agentId: 'a', roomId: 'x' },
				400,
				PARAMS_ERROR("must NOT have additional properties: 'roomId'"),
			],
			['a repeated parameter', { token: ['a', 'b'], agentId: 'a' }, 400, PARAMS_ERROR("'token' must be given once, not repeated")],
			['an empty value', { token: '', agentId: 'a' }, 400, PARAMS_ERROR("'token' must NOT be empty")],
			[
				'a value over 256 characters',
				{ token: 't', rid: 'r'.repeat(257) },
				400,
				PARAMS_ERROR("'rid' must NOT have more than 256 characters"),
			],
			[
				'another direction',
				{ token: 't', agentId: 'a', direction: 'up' },
				400,
				PARAMS_ERROR("'direction' must be equal to one of the allowed values: inbound, outbound"),
			],
			['no visitor with that token (rid)', { token: 'nobody', rid: SEED.roomId }, 400, { success: false, error: 'invalid-token' }],
			[
				'no visitor with that token (lookup)',
				{ token: 'nobody', agentId: SEED.agentId },
				400,
				{ success: false, error: 'invalid-token' },
			],
			['a missing room', { token: SEED.visitorToken, rid: 'NoSuchRoom' }, 400, { success: false, error: 'invalid-room' }],
			[
				'a room that is not omnichannel',
				{ token: SEED.visitorToken, rid: SEED.channelId },
				400,
				{ success: false, error: 'invalid-room' },
			],
			[
				"another visitor's room",
				{ token: SEED.lonelyVisitorToken, rid: SEED.roomId },
				400,
				{ success: false, error: 'invalid-room' },
			],
		])('%s', (_case, query, status, content) =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, query);
				expect([res.status, res.headers['content-type'], res.content]).toEqual([
					status,
					'application/json; charset=utf-8',
					content,
				]);
			}),
		);

		it('a room whose visitor was deleted: invalid-room', () =>
			run({ data: (data) => (data.visitors = data.visitors.filter((v) => v._id !== SEED.visitorId)) }, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
				expect([res.status, res.content]).toEqual([400, { success: false, error: 'invalid-room' }]);
				expect(host.reads.byMethod()).toEqual({ 'room.getById': 1 });
			}));

		it('error paths cost one more read at most', () =>
			run({}, async (host) => {
				await getVoipRoom(host, { token: SEED.lonelyVisitorToken, rid: SEED.roomId });
				expect(host.reads.byMethod()).toEqual({ 'room.getById': 1, 'livechat.findVisitorByToken': 1 });
				host.reads.reset();
				await getVoipRoom(host, { token: 'nobody', agentId: SEED.agentId });
				expect(host.reads.byMethod()).toEqual({ 'livechat.findRooms': 1, 'livechat.findVisitorByToken': 1 });
				host.reads.reset();
				await getVoipRoom(host, { token: 'x' });
				expect(host.reads.count()).toBe(0);
			}));

		it('no user on the request: 401', () =>
			run({}, async (host) => {
				const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId }, null);
				expect([res.status, res.content]).toEqual([401, { success: false, error: 'You must be logged in to do this.' }]);
				expect(host.reads.count()).toBe(0);
			}));

		it('a caller without an allowed role: 403, after the parameters are checked', () =>
			run({}, async (host) => {
				const forbidden = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId }, SEED.plainUserId);
				expect([forbidden.status, forbidden.content]).toEqual([
					403,
					{ success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
				]);
				const badParams = await getVoipRoom(host, { rid: SEED.roomId }, SEED.plainUserId);
				expect(badParams.status).toBe(400);
				expect(host.reads.count()).toBe(0);
			}));

		it('the role gate follows the allowed roles setting changed through the engine', () =>
			run({}, async (host) => {
				await host.setSetting('allowed_roles', 'user');
				const plain = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId }, SEED.plainUserId);
				await host.setSetting('allowed_roles', 'livechat-manager');
				const agent = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId }, SEED.agentId);
				const manager = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId }, SEED.callerId);
				expect([plain.status, agent.status, manager.status]).toEqual([200, 403, 200]);
			}));

		it('a reader that throws: JSON 500 without details; the cause is in the app log, the token masked; the next request succeeds', () =>
			run({}, async (host) => {
				host.faults.set('room.getById', 'throw', 1);
				const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
				expect([res.status, res.headers['content-type'], res.content]).toEqual([
					500,
					'application/json; charset=utf-8',
					{ success: false, error: 'Internal server error' },
				]);
				// The app's own entries (the engine itself logs every request, query included, at debug level).
				const errors = appErrorLog(host);
				expect(errors).toContain('voip/room failed');
				expect(errors).toContain('fault injected by test host: room.getById');
				expect(errors).toContain(SEED.roomId);
				expect(errors).toContain('8s7e…(22)');
				expect(errors).not.toContain(SEED.visitorToken);
				const next = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
				expect(next.status).toBe(200);
			}));
	});

	describe('rate limit', () => {
		it('counts every request per caller, refuses past the limit with the headers, resets after the window', () =>
			run({ settings: { requests_per_minute: 2 } }, async (host) => {
				const before = Date.now();
				const statuses: Array<number> = [];
				for (const query of [
					{ token: SEED.visitorToken, rid: SEED.roomId },
					{ bad: 'x' },
					{ token: SEED.visitorToken, rid: SEED.roomId },
				]) {
					statuses.push((await getVoipRoom(host, query)).status);
				}
				const refused = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
				const after = Date.now();
				expect([...statuses, refused.status]).toEqual([200, 400, 429, 429]);
				const wait = /You must wait (\d+) seconds/.exec((refused.content as { error: string }).error);
				expect(refused.content).toEqual({
					success: false,
					error: `Error, too many requests. Please slow down. You must wait ${wait && wait[1]} seconds before trying this endpoint again. [error-too-many-requests]`,
				});
				expect(Number(wait && wait[1])).toBeGreaterThanOrEqual(59);
				expect(Number(wait && wait[1])).toBeLessThanOrEqual(60);
				expect([refused.headers['x-ratelimit-limit'], refused.headers['x-ratelimit-remaining']]).toEqual(['2', '0']);
				const reset = Number(refused.headers['x-ratelimit-reset']);
				expect(reset).toBeGreaterThanOrEqual(before + 60000);
				expect(reset).toBeLessThanOrEqual(after + 60000);
				// Another caller has a window of its own.
				const other = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId }, SEED.agentId);
				expect([other.status, other.headers['x-ratelimit-remaining']]).toEqual([200, '1']);
				// The window ends (shortened through the engine, no sleeping): the caller is served again.
				await host.setSetting('rate_limit_window_ms', 1);
				await new Promise((resolve) => setImmediate(resolve));
				const served = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
				expect([served.status, served.headers['x-ratelimit-remaining']]).toEqual([200, '1']);
			}));

		it('is off at 0: no headers', () =>
			run({ settings: { requests_per_minute: 0 } }, async (host) => {
				const statuses: Array<number> = [];
				for (let i = 0; i < 8; i++) {
					const res = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
					statuses.push(res.status);
					expect(res.headers['x-ratelimit-limit']).toBeUndefined();
				}
				expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
			}));

		it('defaults to 5 per minute', () =>
			run({ settings: { requests_per_minute: 5 } }, async (host) => {
				const statuses: Array<number> = [];
				for (let i = 0; i < 6; i++) {
					statuses.push((await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId })).status);
				}
				expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
			}));
	});
});
