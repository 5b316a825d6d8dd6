/**
 * `startServer()` end to end, over real HTTP (Node's http client), on both engines: Rocket.Chat's HTTP layer
 * around the packaged app (401 before the app, the app's status/headers/JSON, 404, body parser errors, express'
 * ETag), POST /api/v1/commands.run, GET /api/info, and stop() leaving no Deno process.
 */
import * as net from 'net';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';

import { isDenoEngine } from '../engine/engines';
import type { EngineName } from '../engine/host';
import { FIXTURE_ENDPOINT, writeFixtureZip } from '../engine/host/fixtureApp';
import { documentedResponseAsServed, ENGINES } from '../engine/support';
import type { RunningServer } from './index';
import { DEMO, ServerStartError, startServer } from './index';
import { auth, isAlive, request, waitGone } from './support';

const APP_ID = '2c6d81eb-0039-41a3-9399-92fd3df46d00';
const JSON_UTF8 = 'application/json; charset=utf-8';
const USAGE =
	'Usage: `/voiproom` in an omnichannel room shows that room; `/voiproom <room id>` shows that room; `/voiproom <room id> json` shows the voip/room REST answer for it; `/voiproom help` shows this.';
const CARD_PT_BR = [
	'Sala de livechat de Mary',
	'Visitante: Mary (@guest-165), offline',
	'Agente: Kim Jane (@kim.jane)',
	'Departamento: Sales',
	'Situação: aberta, aguardando resposta',
	'Criada em: 2021-07-09 20:12:19 UTC',
	'Última atividade: 2021-07-09 20:20:58 UTC',
	'Mensagens: 7',
	'Origem: desconhecido',
	'Id da sala: kCJDd5peKiZnGJLPq',
].join('\n');

const caller = { id: DEMO.callerId, token: DEMO.callerToken };

/** What GET /api/info must say on each engine (written out, not read from the engine table it checks). */
const EXPECTED_INFO: Record<
	EngineName,
	{ rocketChat: string; behavesAs: string; version: string; runtime: string; runtimeVersion: string }
> = {
	'1.42': { rocketChat: '6.7', behavesAs: 'Rocket.Chat 6.7–6.9', version: '1.42.1', runtime: 'vm2', runtimeVersion: '3.12.2' },
	'1.53': { rocketChat: '7.8', behavesAs: 'Rocket.Chat 7.8', version: '1.53.1', runtime: 'deno', runtimeVersion: '1.46.3' },
	'1.59': { rocketChat: '8.0', behavesAs: 'Rocket.Chat 8.0–8.1', version: '1.59.0', runtime: 'deno', runtimeVersion: '1.46.3' },
	'1.62': { rocketChat: '8.4', behavesAs: 'Rocket.Chat 8.4', version: '1.62.0', runtime: 'deno', runtimeVersion: '2.3.1' },
};

describe.each(ENGINES)('startServer on engine %s', (engine: EngineName) => {
	let server: RunningServer;
	const room = (query: string): string => `${server.appBaseUrl}/voip/room?${query}`;
	const json = (text: string): unknown => JSON.parse(text);
	const commandsRun = (user: { id: string; token: string } | undefined, body: unknown) =>
		request(`${server.url}/api/v1/commands.run`, {
			method: 'POST',
			headers: { ...(user ? auth(user) : {}), 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});

	beforeAll(async () => {
		server = await startServer({ engine, port: 0, rateLimit: false });
	});

	afterAll(async () => {
		if (server) {
			await server.stop();
		}
	});

	it('listens on an ephemeral port of 127.0.0.1 with the app installed from the zip', async () => {
		expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
		expect([server.appId, server.appBaseUrl, server.engine]).toEqual([APP_ID, `${server.url}/api/apps/public/${APP_ID}`, engine]);
		expect(server.users).toEqual({
			agent: { id: DEMO.agentId, token: DEMO.agentToken },
			manager: { id: DEMO.managerId, token: DEMO.managerToken },
			plain: { id: DEMO.plainUserId, token: DEMO.plainUserToken },
		});
		expect(server.host.deniedPermissions()).toEqual([]);
	});

	describe('authentication, by the server before the app', () => {
		it.each([
			['no credentials', {}],
			['a wrong token', { 'X-User-Id': DEMO.callerId, 'X-Auth-Token': 'wrong' }],
			["another user's token", { 'X-User-Id': DEMO.callerId, 'X-Auth-Token': DEMO.agentToken }],
			['an unknown user', { 'X-User-Id': 'NoSuchUser', 'X-Auth-Token': DEMO.callerToken }],
			['X-User-Id alone', { 'X-User-Id': DEMO.callerId }],
			['X-Auth-Token alone', { 'X-Auth-Token': DEMO.callerToken }],
		])('%s: 401, the text Unauthorized (never the app JSON 401)', async (_case, headers) => {
			const res = await request(room(`token=${DEMO.visitorToken}&rid=${DEMO.roomId}`), { headers });
			expect([res.status, res.headers['content-type'], res.text]).toEqual([401, 'text/html; charset=utf-8', 'Unauthorized']);
		});
	});

	describe('the app answering', () => {
		it('the documented call: 200, the documented body but servedBy.ts, as JSON with a charset and a weak ETag', async () => {
			const res = await request(room(`token=${DEMO.visitorToken}&agentId=${DEMO.callerId}`), {
				headers: { ...auth(caller), 'Content-Type': 'application/json' },
			});
			expect([res.status, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
			expect(json(res.text)).toEqual(documentedResponseAsServed());
			expect(res.text).toBe(JSON.stringify(documentedResponseAsServed()));
			expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
			expect(res.headers.etag).toMatch(/^W\/"535-[A-Za-z0-9+/]{27}"$/);
			expect([res.headers['x-ratelimit-limit'], res.headers['x-powered-by']]).toEqual([undefined, undefined]);

			const again = await request(room(`token=${DEMO.visitorToken}&agentId=${DEMO.callerId}`), {
				headers: { ...auth(caller), 'If-None-Match': String(res.headers.etag) },
			});
			expect([again.status, again.text, again.headers['content-type']]).toEqual([304, '', undefined]);
		});

		it('routes like express: case-insensitive, trailing slash allowed', async () => {
			const res = await request(`${server.appBaseUrl}/VOIP/Room/?token=${DEMO.visitorToken}&rid=${DEMO.voipRoomId}`, {
				headers: auth(caller),
			});
			const body = json(res.text) as { room: Record<string, unknown>; newRoom: boolean };
			expect([res.status, body.room._id, body.room.t, body.room.queue, body.newRoom]).toEqual([
				200,
				DEMO.voipRoomId,
				'v',
				'support',
				false,
			]);
		});

		it.each([
			[
				`token=${DEMO.visitorToken}`,
				400,
				{ success: false, error: "must have required property 'agentId' [invalid-params]", errorType: 'invalid-params' },
			],
			[
				`token=a&token=b&rid=${DEMO.roomId}`,
				400,
				{ success: false, error: "'token' must be given once, not repeated [invalid-params]", errorType: 'invalid-params' },
			],
			[
				`token[x]=a&rid=${DEMO.roomId}`,
				400,
				{ success: false, error: "'token' must be a string [invalid-params]", errorType: 'invalid-params' },
			],
			[
				`token=${DEMO.visitorToken}&rid=${DEMO.roomId}&toString=1`,
				400,
				{ success: false, error: "must NOT have additional properties: 'toString' [invalid-params]", errorType: 'invalid-params' },
			],
			[`token=nobody&rid=${DEMO.roomId}`, 400, { success: false, error: 'invalid-token' }],
			[`token=${DEMO.lonelyVisitorToken}&rid=${DEMO.roomId}`, 400, { success: false, error: 'invalid-room' }],
			[`token=nobody&agentId=${DEMO.agentId}`, 400, { success: false, error: 'invalid-token' }],
		])('?%s: %d with the JSON envelope', async (query, status, body) => {
			const res = await request(room(query), { headers: auth(caller) });
			expect([res.status, res.headers['content-type'], json(res.text)]).toEqual([status, JSON_UTF8, body]);
		});

		it('a user without an allowed role: 403', async () => {
			const res = await request(room(`token=${DEMO.visitorToken}&rid=${DEMO.roomId}`), { headers: auth(server.users.plain) });
			expect([res.status, json(res.text)]).toEqual([
				403,
				{ success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
			]);
		});

		it('?__proto__= never reaches the app (qs drops it): the call succeeds, and so does the next one', async () => {
			const first = await request(room(`__proto__=x&token=${DEMO.visitorToken}&rid=${DEMO.roomId}`), { headers: auth(caller) });
			const second = await request(room(`token=${DEMO.visitorToken}&rid=${DEMO.closedRoomId}`), { headers: auth(caller) });
			expect([first.status, (json(first.text) as { room: { _id: string } }).room._id]).toEqual([200, DEMO.roomId]);
			expect([second.status, (json(second.text) as { room: { _id: string } }).room._id]).toEqual([200, DEMO.closedRoomId]);
		});

		it('room creation for the visitor without an open room, then the lookup finds it', async () => {
			const query = `token=${DEMO.lonelyVisitorToken}&agentId=${DEMO.agentId}&direction=inbound`;
			const created = await request(room(query), { headers: auth(server.users.manager) });
			const body = json(created.text) as { room: Record<string, unknown> & { _id: string; v: { token: string } }; newRoom: boolean };
			expect([created.status, body.newRoom, body.room.t, body.room.v.token, body.room.source]).toEqual([
				200,
				true,
				'l',
				DEMO.lonelyVisitorToken,
				{ type: 'app', id: APP_ID, alias: 'VoipRoom' },
			]);
			const found = await request(room(query), { headers: auth(server.users.manager) });
			const again = json(found.text) as { room: { _id: string }; newRoom: boolean };
			expect([found.status, again.room._id, again.newRoom]).toEqual([200, body.room._id, false]);
			expect(server.host.db.rooms.filter((r) => r.v && r.v.token === DEMO.lonelyVisitorToken).length).toBe(1);
		});

		it('closing the call over HTTP: a form-encoded body closes the created room; the same close as JSON is room-closed', async () => {
			const created = server.host.db.rooms.find((r) => r.open === true && r.v && r.v.token === DEMO.lonelyVisitorToken);
			if (!created) {
				throw new Error('no open room of the lonely visitor (the creation test runs first)');
			}
			const close = (contentType: string, body: string) =>
				request(`${server.appBaseUrl}/voip/room.close`, {
					method: 'POST',
					headers: { ...auth(caller), 'Content-Type': contentType },
					body,
				});
			const form = await close('application/x-www-form-urlencoded', `rid=${created._id}&token=${DEMO.lonelyVisitorToken}`);
			expect([form.status, form.headers['content-type'], json(form.text)]).toEqual([
				200,
				JSON_UTF8,
				{ rid: created._id, success: true },
			]);
			expect(['open' in created, created.closer]).toEqual([false, 'visitor']);
			const again = await close(
				'application/json',
				JSON.stringify({ rid: created._id, token: DEMO.lonelyVisitorToken, options: { comment: 'x' } }),
			);
			expect([again.status, json(again.text)]).toEqual([400, { success: false, error: 'room-closed' }]);
			const shown = await request(room(`token=${DEMO.lonelyVisitorToken}&rid=${created._id}`), { headers: auth(caller) });
			const closedRoom = (json(shown.text) as { room: Record<string, unknown> }).room;
			expect([shown.status, 'open' in closedRoom, closedRoom.closer]).toEqual([200, false, 'visitor']);
		});

		it('the rate limit, set through the engine: 429 with its headers once the callers count is used up', async () => {
			await server.host.setSetting('requests_per_minute', 2);
			try {
				const statuses: number[] = [];
				let last = await request(room(`token=${DEMO.visitorToken}&rid=${DEMO.roomId}`), { headers: auth(server.users.agent) });
				statuses.push(last.status);
				for (let i = 0; i < 2; i++) {
					last = await request(room(`token=${DEMO.visitorToken}&rid=${DEMO.roomId}`), { headers: auth(server.users.agent) });
					statuses.push(last.status);
				}
				expect(statuses).toEqual([200, 200, 429]);
				expect([last.headers['x-ratelimit-limit'], last.headers['x-ratelimit-remaining']]).toEqual(['2', '0']);
				expect(last.headers['x-ratelimit-reset']).toMatch(/^\d{13}$/);
				expect((json(last.text) as { error: string }).error).toMatch(
					/^Error, too many requests\. Please slow down\. You must wait \d+ seconds before trying this endpoint again\. \[error-too-many-requests\]$/,
				);
			} finally {
				await server.host.setSetting('requests_per_minute', 0);
			}
		});
	});

	describe('what an app receives (the host fixture app, installed next to it, echoes its POST requests)', () => {
		let probe: string;
		beforeAll(async () => {
			probe = `${server.url}/api/apps/public/${await server.host.installExtra(await writeFixtureZip({}, `host-probe-server-${engine}`))}/${FIXTURE_ENDPOINT}`;
		});

		it('JSON body and qs query (qs drops ?__proto__=), lower-cased headers, the user', async () => {
			const res = await request(`${probe}?a[b]=1&t=x&t=y&__proto__=z&access_token=kept`, {
				method: 'POST',
				headers: { ...auth(server.users.manager), 'Content-Type': 'application/json', 'X-Custom': 'Yes' },
				body: '{"x":1,"list":[1,"2"],"nested":{"y":2}}',
			});
			const echo = json(res.text) as { headers: Record<string, string> } & Record<string, unknown>;
			expect([res.status, res.headers['content-type']]).toEqual([201, JSON_UTF8]);
			expect([echo.method, echo.query, echo.content, echo.user]).toEqual([
				'post',
				{ a: { b: '1' }, t: ['x', 'y'], access_token: 'kept' },
				{ x: 1, list: [1, '2'], nested: { y: 2 } },
				{ id: DEMO.managerId, username: 'sam.wise', roles: ['user', 'livechat-manager'] },
			]);
			expect([echo.headers['x-custom'], echo.headers['x-user-id'], echo.headers['content-type']]).toEqual([
				'Yes',
				DEMO.managerId,
				'application/json',
			]);
		});

		it("an urlencoded body, parsed as body-parser 1.x's urlencoded() (extended: qs) does; qs drops __proto__", async () => {
			const res = await request(probe, {
				method: 'POST',
				headers: { ...auth(server.users.manager), 'Content-Type': 'application/x-www-form-urlencoded' },
				body: 'a=1&a=2&b[c]=3&d=x+y&__proto__[e]=1&f[__proto__]=2&toString=kept',
			});
			const content = (json(res.text) as { content: Record<string, unknown> }).content;
			expect([res.status, content, Object.keys(content)]).toEqual([
				201,
				{ a: ['1', '2'], b: { c: '3' }, d: 'x y', f: {}, toString: 'kept' },
				['a', 'b', 'd', 'f', 'toString'],
			]);
		});

		if (!isDenoEngine(engine)) {
			// On the Deno engines this body wedges the app's runtime: test/server/wedge.test.ts characterizes it.
			it("an own __proto__ key in a JSON body reaches the app (body-parser's JSON.parse keeps it; so does the stand-in)", async () => {
				const res = await request(probe, {
					method: 'POST',
					headers: { ...auth(server.users.manager), 'Content-Type': 'application/json' },
					body: '{"x":1,"__proto__":{"polluted":true},"nested":[{"__proto__":{"y":2}}]}',
				});
				const content = (json(res.text) as { content: Record<string, unknown> }).content;
				const nested = (content.nested as Array<Record<string, unknown>>)[0];
				expect([res.status, Object.keys(content), content.__proto__, Object.keys(nested), nested.__proto__]).toEqual([
					201,
					['x', '__proto__', 'nested'],
					{ polluted: true },
					['__proto__'],
					{ y: 2 },
				]);
			});
		}

		it.each([
			['a JSON body of another type (+json): not parsed', 'application/vnd.api+json', '{"x":1}', 201, {}],
			['a text body: not parsed (nor read: no size limit applies)', 'text/plain', 'x'.repeat(200 * 1024), 201, {}],
			['no Content-Type: not parsed', '', '{"x":1}', 201, {}],
			['JSON with a BOM and whitespace', 'application/json; charset=utf-8', '\uFEFF \n{"x":[]}', 201, { x: [] }],
			['strict JSON: a bare string is refused', 'application/json', '"text"', 400, 'Bad Request'],
			['JSON over 100 kB', 'application/json', `{"x":"${'y'.repeat(100 * 1024)}"}`, 413, 'Payload Too Large'],
			['JSON in an unsupported charset', 'application/json; charset=iso-8859-1', '{"x":1}', 415, 'Unsupported Media Type'],
			[
				'a form body over 1000 parameters',
				'application/x-www-form-urlencoded',
				Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&'),
				413,
				'Payload Too Large',
			],
			['a form body nested deeper than 32', 'application/x-www-form-urlencoded', `a${'[b]'.repeat(33)}=1`, 400, 'Bad Request'],
		])("body-parser's edges: %s", async (_case, type, body, status, expected) => {
			const res = await request(probe, {
				method: 'POST',
				headers: { ...auth(server.users.manager), ...(type ? { 'Content-Type': type } : {}) },
				body,
			});
			if (status === 201) {
				expect([res.status, (json(res.text) as { content: unknown }).content]).toEqual([status, expected]);
			} else {
				expect([res.status, res.headers['content-type']]).toEqual([status, 'text/html; charset=utf-8']);
				expect(res.text).toContain(`<pre>${String(expected)}</pre>`);
			}
		});

		it('no credentials on a POST either: 401 before the app', async () => {
			const res = await request(`${probe}?access_token=abc`, { method: 'POST' });
			expect([res.status, res.text]).toEqual([401, 'Unauthorized']);
		});
	});

	describe("the server's own answers", () => {
		it.each([
			['an unknown path of the app', `/api/apps/public/${APP_ID}/voip/rooms`],
			['an unknown app', '/api/apps/public/00000000-0000-4000-8000-000000000000/voip/room'],
			['a path outside the apps', '/api/v1/voip/room'],
			['the root', '/'],
		])('%s: 404, the text Not Found', async (_case, path) => {
			const res = await request(`${server.url}${path}`, { headers: auth(caller) });
			expect([res.status, res.headers['content-type'], res.text]).toEqual([404, 'text/plain; charset=utf-8', 'Not Found']);
		});

		it("a JSON body the parser refuses: express' 400 error page", async () => {
			const res = await request(room(`token=${DEMO.visitorToken}&rid=${DEMO.roomId}`), {
				method: 'POST',
				headers: { ...auth(caller), 'Content-Type': 'application/json' },
				body: '{"unterminated": ',
			});
			expect([res.status, res.headers['content-type']]).toEqual([400, 'text/html; charset=utf-8']);
			expect(res.text).toContain('<pre>Bad Request</pre>');
		});

		it('GET /api/info: the engine, its runtime and the app', async () => {
			const res = await request(`${server.url}/api/info`);
			const info = json(res.text) as Record<string, Record<string, unknown>>;
			expect([res.status, res.headers['content-type']]).toEqual([200, 'application/json']);
			const pid = server.host.runtimePid();
			expect(info).toEqual({
				version: EXPECTED_INFO[engine].rocketChat,
				server: 'VoipRoom local Rocket.Chat stand-in (test/server)',
				behavesAs: EXPECTED_INFO[engine].behavesAs,
				engine: {
					name: engine,
					version: EXPECTED_INFO[engine].version,
					runtime: EXPECTED_INFO[engine].runtime,
					runtimeVersion: EXPECTED_INFO[engine].runtimeVersion,
					...(isDenoEngine(engine) ? { runtimePid: pid } : { inProcess: true }),
				},
				app: { id: APP_ID, name: 'VoipRoom', version: '1.0.0', status: await server.host.status(), baseUrl: server.appBaseUrl },
				settings: {
					allowed_roles: 'livechat-agent,livechat-manager,admin',
					create_room_when_none_open: true,
					requests_per_minute: 0,
					rate_limit_window_ms: 60000,
				},
				success: true,
			});
			if (isDenoEngine(engine)) {
				expect([typeof pid, isAlive(pid as number)]).toEqual(['number', true]);
			}
		});
	});

	describe('POST /api/v1/commands.run', () => {
		it('/voiproom in the documented room as its agent: the room card, in her language (pt-BR), sent only to her', async () => {
			const res = await commandsRun(server.users.agent, { command: 'voiproom', params: '', roomId: DEMO.roomId });
			const body = json(res.text) as { messages: Array<Record<string, unknown>>; success: boolean };
			expect([res.status, res.headers['content-type'], body.success, body.messages.length]).toEqual([
				200,
				'application/json',
				true,
				1,
			]);
			const [message] = body.messages;
			expect([message.rid, (message.u as { username: string }).username, message.msg]).toEqual([
				DEMO.roomId,
				'voiproom.bot',
				CARD_PT_BR,
			]);
			const blocks = message.blocks as Array<{ blockId: string; text?: { text: string } }>;
			expect(blocks.map((block) => block.blockId)).toEqual(['voiproom-title', 'voiproom-facts-0']);
			expect(blocks[0].text).toEqual({ type: 'mrkdwn', text: '*Sala de livechat de Mary*' });
			const sent = server.host.messages[server.host.messages.length - 1];
			expect([sent.kind, sent.userId, sent.roomId, sent.doc._id]).toEqual(['notifyUser', DEMO.agentId, DEMO.roomId, message._id]);
		});

		it('params are split as Rocket.Chat splits them: "help" as the manager gives the usage', async () => {
			const res = await commandsRun(server.users.manager, { command: 'VoipRoom', params: '  help ', roomId: DEMO.roomId });
			const body = json(res.text) as { messages: Array<{ msg: string }>; success: boolean };
			expect([res.status, body.messages.map((m) => m.msg), body.success]).toEqual([200, [USAGE], true]);
		});

		it('a user without an allowed role, in a channel: the app explains, nothing else happens', async () => {
			const res = await commandsRun(server.users.plain, { command: 'voiproom', roomId: DEMO.channelId });
			const body = json(res.text) as { messages: Array<{ msg: string; rid: string }> };
			expect([res.status, body.messages.map((m) => [m.rid, m.msg])]).toEqual([
				200,
				[
					[
						DEMO.channelId,
						`You are not allowed to look up call rooms: it takes one of these roles: livechat-agent, livechat-manager, admin.\n${USAGE}`,
					],
				],
			]);
		});

		it.each([
			[
				'no credentials',
				401,
				undefined,
				{ command: 'voiproom', roomId: DEMO.roomId },
				{ status: 'error', message: 'You must be logged in to do this.' },
			],
			[
				'a room the user cannot access',
				403,
				DEMO.plainUserId,
				{ command: 'voiproom', roomId: DEMO.roomId },
				{ success: false, error: 'User does not have access to this room' },
			],
			[
				'an unknown command',
				400,
				DEMO.callerId,
				{ command: 'nope', roomId: DEMO.roomId },
				{ success: false, error: 'The command provided does not exist (or is disabled).' },
			],
			[
				'no roomId',
				400,
				DEMO.callerId,
				{ command: 'voiproom' },
				{ success: false, error: "must have required property 'roomId' [invalid-params]", errorType: 'invalid-params' },
			],
			[
				'an unknown thread',
				400,
				DEMO.callerId,
				{ command: 'voiproom', roomId: DEMO.roomId, tmid: 'NoSuchMessage' },
				{ success: false, error: 'Invalid thread.' },
			],
		])('%s: %d', async (_case, status, userId, body, answer) => {
			const user = userId === undefined ? undefined : [caller, server.users.plain].find((u) => u.id === userId);
			const res = await commandsRun(user, body);
			expect([res.status, res.headers['content-type'], json(res.text)]).toEqual([status, 'application/json', answer]);
		});
	});

	it('stop(): HTTP closed, app removed, no runtime process left', async () => {
		const pid = server.host.runtimePid();
		const port = server.port;
		await server.stop();
		await server.stop();
		if (isDenoEngine(engine)) {
			expect(typeof pid).toBe('number');
			expect(await waitGone(pid as number)).toBe(true);
		} else {
			expect(pid).toBeUndefined();
		}
		await expect(request(`http://127.0.0.1:${port}/api/info`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
	});
});

describe('startServer: failures', () => {
	it('a port in use: ServerStartError naming the port, and no engine started', async () => {
		const busy = net.createServer();
		await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
		const port = (busy.address() as net.AddressInfo).port;
		try {
			const started = startServer({ port });
			await expect(started).rejects.toEqual(
				new ServerStartError(
					`port ${port} is in use (127.0.0.1:${port}): stop what listens there, or pick another port with --port or PORT`,
					'EADDRINUSE',
				),
			);
			await expect(started).rejects.toMatchObject({ code: 'EADDRINUSE' });
		} finally {
			await new Promise((resolve) => busy.close(resolve));
		}
	});

	it('engine 1.62: an exception out of the engine (here the app runtime timing out) is a 500 with its message as text', async () => {
		const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
		const server = await startServer({ port: 0, rateLimit: false, runtimeTimeoutMs: 2500 });
		let release = (): void => undefined;
		try {
			server.host.faults.hold('room.getById', () => new Promise<void>((resolve) => (release = resolve)));
			const res = await request(`${server.appBaseUrl}/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, {
				headers: auth(caller),
			});
			expect([res.status, res.headers['content-type']]).toEqual([500, 'text/html; charset=utf-8']);
			expect(res.text).toMatch(
				new RegExp(`^\\[${APP_ID}\\] Request "[a-z0-9]+" for method "api:voip/room:get" timed out after 2500ms$`),
			);
			server.host.faults.clear();
			release();
			const after = await request(`${server.appBaseUrl}/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, {
				headers: auth(caller),
			});
			expect(after.status).toBe(200);
		} finally {
			release();
			await server.stop();
			errors.mockRestore();
		}
	});
});
