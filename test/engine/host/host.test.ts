/**
 * The test host itself, on both engines: install + enable through the real AppManager, endpoint and slash
 * command calls, bridge read counting, fault injection, settings, logs, and a clean stop (no Deno process
 * left). Uses the fixture app of fixtureApp.ts; the real app (dist/*.zip) gets a smoke run at the end.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import type { EngineName, Host, RcVisitor } from '.';
import { startHost } from '.';
import { isDenoEngine } from '../engines';
import { REPO_ROOT } from './engine';
import { FIXTURE_COMMAND, FIXTURE_ENDPOINT, FIXTURE_PERMISSIONS, writeFixtureZip } from './fixtureApp';
import { SEED, seedData } from './seed';

const ENGINES: EngineName[] = ['1.42', '1.62'];
const timings: Record<string, Record<string, number>> = {};

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

type RoomBody = { room: Record<string, unknown>; newRoom: boolean; success: boolean };

describe.each(ENGINES)('test host on engine %s', (engine) => {
	let host: Host;
	let zipPath: string;
	const cwdBefore = process.cwd();

	beforeAll(async () => {
		zipPath = await writeFixtureZip();
		host = await startHost({ engine, zipPath, data: seedData() });
	});

	afterAll(async () => {
		if (host) {
			await host.stop();
		}
	});

	test('installs and enables the app through the engine', async () => {
		expect(['auto_enabled', 'manually_enabled']).toContain(await host.status());
		expect(host.engine).toBe(engine);
		expect(host.appId).toBe('6d1a5c6e-2f0b-4c3e-9a57-0b5b8f3e7a11');
		// the engine created the app's bot user through the user bridge
		expect(host.db.users.find((u) => u.username === 'host-probe.bot')).toMatchObject({
			type: 'app',
			appId: host.appId,
			roles: ['app'],
		});
		// the install's own reads are not counted
		expect(host.reads.count()).toBe(0);
		expect(host.timings.installMs).toBeGreaterThan(0);
		expect(host.logs().some((r) => /enable/i.test(r.method))).toBe(true);
		if (engine === '1.62') {
			expect(host.runtimePid()).toEqual(expect.any(Number));
		}
		expect(host.deniedPermissions()).toEqual([]);
	});

	test('endpoint: the room by id, converted as Rocket.Chat does, one read', async () => {
		host.reads.reset();
		const res = await host.call(FIXTURE_ENDPOINT, {
			query: { token: SEED.visitorToken, rid: SEED.roomId },
			userId: SEED.callerId,
			headers: { 'X-Auth-Token': 'ignored' },
		});
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(res.headers['x-probe']).toBe('rid');
		const { room } = res.content as RoomBody;
		expect(room).toMatchObject({
			id: SEED.roomId,
			displayName: 'Mary',
			type: 'l',
			isOpen: true,
			isWaitingResponse: true,
			isDefault: false,
			isReadOnly: false,
			displaySystemMessages: true,
			messageCount: 7,
			createdAt: '2021-07-09T20:12:19.795Z',
			visitor: { id: SEED.visitorId, token: SEED.visitorToken, username: 'guest-165', status: 'offline' },
			visitorChannelInfo: { lastMessageTs: '2021-07-09T20:20:58.755Z' },
			department: { id: SEED.departmentId, name: 'Sales', numberOfAgents: 1 },
			servedBy: { id: SEED.agentId, username: 'kim.jane', roles: ['user', 'livechat-agent'] },
		});
		// servedBy is a full user read by id: the room's servedBy.ts is gone
		expect(room.servedBy).not.toHaveProperty('ts');
		// unmapped fields (v included: Rocket.Chat reads it but never deletes it) stay in _unmappedProperties_
		expect(Object.keys(room._unmappedProperties_ as object).sort()).toEqual([
			'cl',
			'departmentAncestors',
			'lastMessage',
			'metrics',
			'usersCount',
			'v',
		]);
		expect(host.reads.byMethod()).toEqual({ 'room.getById': 1 });
	});

	test('endpoint: request as the HTTP layer passes it (lower-cased headers, converted user, content)', async () => {
		const res = await host.call(FIXTURE_ENDPOINT, {
			method: 'post',
			query: { a: '1' },
			userId: SEED.agentId,
			headers: { 'X-User-Id': SEED.agentId, 'Content-Type': 'application/json' },
			content: { hello: 'world' },
		});
		expect(res.status).toBe(201);
		expect(res.content).toEqual({
			method: 'post',
			headers: { 'x-user-id': SEED.agentId, 'content-type': 'application/json' },
			query: { a: '1' },
			content: { hello: 'world' },
			user: { id: SEED.agentId, username: 'kim.jane', roles: ['user', 'livechat-agent'] },
		});
	});

	test('endpoint: no user, unknown path', async () => {
		const anonymous = await host.call(FIXTURE_ENDPOINT, { query: { token: SEED.visitorToken, rid: SEED.roomId }, userId: null });
		expect(anonymous.status).toBe(401);
		const missing = await host.call('no/such/path', { userId: SEED.callerId });
		expect(missing).toEqual({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, content: 'Not Found' });
	});

	if (!isDenoEngine(engine)) {
		// The host refuses nothing: Rocket.Chat does not either. On the Deno engines the same call wedges the app's
		// runtime until the engine restarts it: that is characterized through HTTP in test/server/wedge.test.ts.
		test('endpoint: an own __proto__ key in the request reaches the app as given, as a plain key', async () => {
			const content = JSON.parse('{"a":1,"__proto__":{"polluted":true}}') as Record<string, unknown>;
			const res = await host.call(FIXTURE_ENDPOINT, { method: 'post', userId: SEED.agentId, content });
			const echoed = (res.content as { content: Record<string, unknown> }).content;
			expect([res.status, Object.keys(echoed), echoed.__proto__, echoed.polluted]).toEqual([
				201,
				['a', '__proto__'],
				{ polluted: true },
				undefined,
			]);
			const query = JSON.parse('{"token":"x","__proto__":{"rid":"y"}}') as Record<string, unknown>;
			// `rid` is not inherited from it: the token lookup runs (and finds no visitor)
			expect(await host.call(FIXTURE_ENDPOINT, { query, userId: SEED.callerId })).toMatchObject({
				status: 400,
				content: { success: false, error: 'invalid-token' },
			});
		});
	}

	test('endpoint: lookup by token and room creation for an agent (livechat creator)', async () => {
		host.reads.reset();
		host.calls.reset();
		const before = host.db.rooms.length;
		const res = await host.call(FIXTURE_ENDPOINT, {
			query: { token: SEED.lonelyVisitorToken, agentId: SEED.agentId },
			userId: SEED.callerId,
		});
		expect(res.status).toBe(200);
		const body = res.content as RoomBody;
		expect(body.newRoom).toBe(true);
		expect(host.db.rooms.length).toBe(before + 1);
		const doc = host.db.rooms[host.db.rooms.length - 1];
		expect(doc).toMatchObject({
			t: 'l',
			fname: 'Lonely Caller',
			open: true,
			waitingResponse: true,
			msgs: 0,
			v: { _id: SEED.lonelyVisitorId, username: 'guest-166', token: SEED.lonelyVisitorToken, status: 'online' },
			servedBy: { _id: SEED.agentId, username: 'kim.jane', ts: expect.any(Date) },
			source: { type: 'app', id: host.appId, alias: 'HostProbe' },
			ts: expect.any(Date),
			_updatedAt: expect.any(Date),
		});
		// 7.x stores the custom fields given to createRoom; 6.x passes only the source
		if (engine === '1.62') {
			expect(doc.customFields).toEqual({ direction: 'inbound' });
		} else {
			expect(doc).not.toHaveProperty('customFields');
		}
		expect(body.room).toMatchObject({
			id: doc._id,
			isOpen: true,
			servedBy: { id: SEED.agentId },
			visitor: { id: SEED.lonelyVisitorId },
		});
		expect(host.reads.byMethod()).toEqual({ 'livechat.findVisitorByToken': 1, 'livechat.findRooms': 1, 'user.getById': 1 });
		expect(host.calls.byMethod()).toMatchObject({ 'livechat.createRoom': 1 });

		// the next lookup finds the open room instead of creating one
		const again = await host.call(FIXTURE_ENDPOINT, {
			query: { token: SEED.lonelyVisitorToken, agentId: SEED.agentId },
			userId: SEED.callerId,
		});
		expect((again.content as RoomBody).newRoom).toBe(false);
		expect((again.content as RoomBody).room.id).toBe(doc._id);
	});

	test('createRoom refuses an offline agent as Rocket.Chat routing does', async () => {
		const visitor: RcVisitor = {
			_id: `vis-offline-${engine}`,
			username: 'guest-500',
			name: 'Night Caller',
			token: `night-${engine}`,
			status: 'online',
		};
		host.db.visitors.push(visitor);
		const res = await host.call(FIXTURE_ENDPOINT, {
			query: { token: visitor.token, agentId: SEED.offlineAgentId },
			userId: SEED.callerId,
		});
		expect(res.status).toBe(500);
		expect(host.logText()).toContain('Sorry, no online agents [no-agent-online]');
	});

	test('faults: a bridge method can throw or answer undefined, for N calls', async () => {
		host.faults.set('room.getById', 'throw', 1);
		const failed = await host.call(FIXTURE_ENDPOINT, { query: { token: SEED.visitorToken, rid: SEED.roomId }, userId: SEED.callerId });
		expect(failed).toMatchObject({ status: 500, content: { success: false, error: 'Internal server error' } });
		expect(host.logText()).toContain('fault injected by test host: room.getById');
		const healed = await host.call(FIXTURE_ENDPOINT, { query: { token: SEED.visitorToken, rid: SEED.roomId }, userId: SEED.callerId });
		expect(healed.status).toBe(200);

		host.faults.set('room.getById', 'undefined');
		const empty = await host.call(FIXTURE_ENDPOINT, { query: { token: SEED.visitorToken, rid: SEED.roomId }, userId: SEED.callerId });
		expect(empty).toMatchObject({ status: 400, content: { error: 'invalid-room' } });
		host.faults.clear();
	});

	test('command: an ephemeral answer from the app user, in the thread, in the sender language', async () => {
		host.reads.reset();
		const sent = await host.command(FIXTURE_COMMAND, { userId: SEED.agentId, roomId: SEED.roomId, args: [], threadId: 'tHr3ad' });
		expect(sent).toHaveLength(1);
		const [msg] = sent;
		expect(msg.kind).toBe('notifyUser');
		expect(msg.userId).toBe(SEED.agentId);
		expect(msg.roomId).toBe(SEED.roomId);
		expect(msg.message.text).toBe(`room ${SEED.roomId} type l for kim.jane lang pt-BR`);
		expect(msg.message.threadId).toBe('tHr3ad');
		expect(msg.message.sender.username).toBe('host-probe.bot');
		expect(msg.doc).toMatchObject({ rid: SEED.roomId, tmid: 'tHr3ad', msg: msg.message.text, u: { username: 'host-probe.bot' } });
		expect(host.messages).toContain(msg);
		expect(host.reads.byMethod()).toEqual({ 'user.getAppUser': 1 });

		const other = await host.command(FIXTURE_COMMAND, { userId: SEED.callerId, roomId: SEED.channelId, args: [SEED.voipRoomId] });
		expect(other[0].message.text).toBe(`room ${SEED.voipRoomId} type v for cti.connector lang en`);
	});

	test('command: a stored message (message creator) lands in db.messages', async () => {
		const sent = await host.command(FIXTURE_COMMAND, { userId: SEED.agentId, roomId: SEED.channelId, args: ['announce'] });
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ kind: 'create', roomId: SEED.channelId, messageId: expect.any(String) });
		expect(host.db.messages).toContainEqual(
			expect.objectContaining({ _id: sent[0].messageId, rid: SEED.channelId, msg: 'announcement from kim.jane' }),
		);
	});

	test('what the host does not implement fails loudly, by name', async () => {
		const [msg] = await host.command(FIXTURE_COMMAND, { userId: SEED.agentId, roomId: SEED.roomId, args: ['members'] });
		expect(msg.message.text).toBe('error: not implemented in test host: room.getMembers');
		expect(host.calls.byMethod()).toMatchObject({ 'room.getMembers': 1 });
	});

	test('command: an exception in the app ends in its log (after what it sent)', async () => {
		let thrown: unknown;
		const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined); // 1.62 console.errors it
		const sent = await host
			.command(FIXTURE_COMMAND, { userId: SEED.agentId, roomId: SEED.roomId, args: ['boom'] })
			.catch((e: unknown) => {
				thrown = e;
				return host.messages.slice(-1);
			});
		quiet.mockRestore();
		expect(sent[0].kind).toBe('notifyUser');
		if (engine === '1.42') {
			// 1.42 swallows it into the app's log storage
			expect(thrown).toBeUndefined();
			expect(host.logText()).toContain('probe command exploded');
		} else {
			// 1.62 rejects the request with the runtime's error (console.error'd by the engine, not in the app log)
			expect(thrown).toBeInstanceOf(Error);
			expect((thrown as Error).message).toBe('probe command exploded');
		}
	});

	test('settings: an admin change goes through the engine and fires onSettingUpdated', async () => {
		expect(host.getSetting('create_room')).toBe(true);
		await host.setSetting('create_room', false);
		expect(host.getSetting('create_room')).toBe(false);
		expect(host.logText()).toContain('create_room is now false');
		const visitor: RcVisitor = { _id: `vis-nocreate-${engine}`, username: 'guest-501', token: `nocreate-${engine}`, status: 'online' };
		host.db.visitors.push(visitor);
		const res = await host.call(FIXTURE_ENDPOINT, { query: { token: visitor.token, agentId: SEED.agentId }, userId: SEED.callerId });
		expect(res).toMatchObject({ status: 400, content: { error: 'invalid-room' } });
		await host.setSetting('create_room', true);
		await expect(host.setSetting('no_such_setting', 1)).rejects.toThrow('no setting');
	});

	test('timings: install, one endpoint call, one slash command', async () => {
		const N = 100;
		let started = Date.now();
		for (let i = 0; i < N; i++) {
			await host.call(FIXTURE_ENDPOINT, { query: { token: SEED.visitorToken, rid: SEED.roomId }, userId: SEED.callerId });
		}
		const callMs = (Date.now() - started) / N;
		started = Date.now();
		for (let i = 0; i < N; i++) {
			await host.command(FIXTURE_COMMAND, { userId: SEED.agentId, roomId: SEED.roomId, args: [] });
		}
		const commandMs = (Date.now() - started) / N;
		timings[engine] = { installMs: host.timings.installMs, callMs, commandMs, rssMb: Math.round(process.memoryUsage().rss / 1e6) };
		expect(callMs).toBeLessThan(50);
	});

	test('stop: uninstalls, kills the Deno subprocess, restores the cwd', async () => {
		const pid = host.runtimePid();
		await host.stop();
		expect(await host.status()).toBe('not_installed');
		expect(process.cwd()).toBe(cwdBefore);
		expect(host.db.users.find((u) => u.username === 'host-probe.bot')).toBeUndefined();
		if (pid !== undefined) {
			expect(isAlive(pid)).toBe(false);
		}
		await expect(host.call(FIXTURE_ENDPOINT, { userId: SEED.callerId })).rejects.toThrow('stopped');
	});

	test('permissions: without message.write the engine drops the answer (and logs why)', async () => {
		const zip = await writeFixtureZip(
			{ permissions: FIXTURE_PERMISSIONS.filter((p) => p !== 'message.write') },
			'host-probe-no-message-write',
		);
		const restricted = await startHost({ engine, zipPath: zip, data: seedData() });
		const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined); // the engine console.errors the denial
		try {
			const sent = await restricted.command(FIXTURE_COMMAND, { userId: SEED.agentId, roomId: SEED.roomId, args: [] }).catch(() => []);
			expect(sent).toEqual([]);
			expect(restricted.deniedPermissions()).toEqual([
				{ message: expect.stringContaining('message.write'), missing: ['message.write'] },
			]);
			// while a declared permission goes through
			const res = await restricted.call(FIXTURE_ENDPOINT, {
				query: { token: SEED.visitorToken, rid: SEED.roomId },
				userId: SEED.callerId,
			});
			expect(res.status).toBe(200);
		} finally {
			quiet.mockRestore();
			await restricted.stop();
		}
	});
});

afterAll(() => {
	console.log(`test host timings (ms; ${JSON.stringify(timings)})`);
});

describe('the real app (dist/*.zip), smoke', () => {
	const dist = path.join(REPO_ROOT, 'dist');
	const zips = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.endsWith('.zip')) : [];
	const run = zips.length ? test.each(ENGINES) : test.skip.each(ENGINES);
	run('installs, answers voip/room and /voiproom, stops on engine %s', async (engine) => {
		const host = await startHost({ engine, zipPath: path.join(dist, zips[0]), data: seedData() });
		try {
			expect(['auto_enabled', 'manually_enabled']).toContain(await host.status());
			const res = await host.call('voip/room', { query: { token: SEED.visitorToken, rid: SEED.roomId }, userId: SEED.callerId });
			expect({
				status: res.status,
				id: (res.content as { room?: { _id?: string } }).room?._id,
				log: res.status === 200 ? '' : host.logText(),
			}).toEqual({
				status: 200,
				id: SEED.roomId,
				log: '',
			});
			const sent = await host.command('voiproom', { userId: SEED.agentId, roomId: SEED.roomId, args: [] });
			expect(sent.length).toBeGreaterThan(0);
			expect(sent.filter((m) => m.kind !== 'notifyUser' || m.userId !== SEED.agentId)).toEqual([]);
		} finally {
			await host.stop();
		}
	});
});
