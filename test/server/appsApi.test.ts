/**
 * The stand-in's apps REST API over real HTTP (as Administration → Apps → Private Apps uploads, and as rc-apps
 * calls it), on every engine: login, install into an empty workspace, update in place keeping a changed setting,
 * a corrupt zip refused with the engine's reason while the old version keeps answering, no manage-apps → 403
 * and nothing installed, and the REST layer's refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { EngineName } from '../engine/host';
import { documentedResponseAsServed, ENGINES } from '../engine/support';
import { loginTokenCount } from './accounts';
import type { Session } from './deploySupport';
import {
	ADMIN,
	APP_ID,
	declaredPermissions,
	deployData,
	from8,
	getJson,
	headers,
	login,
	NOT_ADMIN,
	postJson,
	upload,
	zipWithVersion,
} from './deploySupport';
import type { RunningServer } from './index';
import { DEMO, startServer } from './index';
import { zipPath } from '../../tools/package';
import * as fs from 'fs';

function documentedCall(server: RunningServer, user: { id: string; token: string } = DEMO_CALLER): Promise<Response> {
	return fetch(`${server.appBaseUrl}/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, {
		headers: { 'X-User-Id': user.id, 'X-Auth-Token': user.token },
	});
}

const DEMO_CALLER = { id: DEMO.callerId, token: DEMO.callerToken };
const DEMO_AGENT = { id: DEMO.agentId, token: DEMO.agentToken };

/** The app's status right after an update that follows a setting change, per engine (see the update test). */
const AFTER_UPDATE: Record<EngineName, 'enabled' | 'initialized'> = {
	'1.42': 'enabled',
	'1.53': 'initialized',
	'1.59': 'enabled',
	'1.62': 'enabled',
};

describe.each(ENGINES)('apps API of the stand-in on engine %s', (engine) => {
	let server: RunningServer;
	let admin: Session;

	beforeAll(async () => {
		server = await startServer({ engine, port: 0, installApp: false, data: deployData() });
		admin = await login(server.url, ADMIN);
	});

	afterAll(async () => {
		if (server) {
			await server.stop();
		}
	});

	it('login: the session answers /api/v1/me; a wrong password is a 401 as Rocket.Chat words it', async () => {
		const me = await getJson(`${server.url}/api/v1/me`, admin);
		expect([me.status, me.body.username, me.body.roles, me.body.success, 'services' in me.body]).toEqual([
			200,
			'admin',
			['user', 'admin'],
			true,
			false,
		]);
		const wrong = await fetch(`${server.url}/api/v1/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ username: ADMIN.username, password: 'not-the-password' }),
		});
		expect([wrong.status, await wrong.json()]).toEqual([
			401,
			from8(engine)
				? { success: false, error: 'unauthorized' }
				: { success: false, status: 'error', error: 403, message: 'Incorrect password' },
		]);
		const anonymous = await getJson(`${server.url}/api/v1/me`);
		expect([anonymous.status, anonymous.body.error]).toEqual([401, 'You must be logged in to do this.']);
	});

	it("before any upload: no app; GET /api/apps/:id is 404 with Rocket.Chat's message", async () => {
		const found = await getJson(`${server.url}/api/apps/${APP_ID}`, admin);
		expect(found).toEqual({ status: 404, body: { success: false, error: `No App found by the id of: ${APP_ID}` } });
		expect((await getJson(`${server.url}/api/info`)).body.app).toBeNull();
	});

	it('a user without manage-apps: 403 on upload, nothing installed', async () => {
		const manager = await login(server.url, NOT_ADMIN);
		const refused = await upload(server.url, manager, fs.readFileSync(zipPath()), { permissions: declaredPermissions() });
		const code = from8(engine) ? 'error-forbidden' : 'error-unauthorized';
		expect(refused).toEqual({
			status: 403,
			body: { success: false, error: `User does not have the permissions required for this action [${code}]` },
		});
		expect(await server.host.installedApp(APP_ID)).toBeUndefined();
		expect((await documentedCall(server)).status).toBe(404);
	});

	it('upload refusals of the REST layer: no file, another field, not multipart', async () => {
		const empty = await fetch(`${server.url}/api/apps`, { method: 'POST', headers: headers(admin), body: new FormData() });
		expect([empty.status, await empty.json()]).toEqual([
			400,
			{ success: false, error: 'No file uploaded', errorType: 'No file uploaded' },
		]);
		const form = new FormData();
		form.append('file', new Blob([fs.readFileSync(zipPath())]), 'voiproom.zip');
		const field = await fetch(`${server.url}/api/apps`, { method: 'POST', headers: headers(admin), body: form });
		expect([field.status, await field.json()]).toEqual([400, { success: false, error: 'invalid-field', errorType: 'invalid-field' }]);
		const json = await postJson(`${server.url}/api/apps`, admin, {});
		expect(json).toEqual({ status: 400, body: { success: false, error: 'Unsupported content type: application/json' } });
	});

	it('POST /api/apps installs and enables the app with the permissions sent; its endpoint answers', async () => {
		const installed = await upload(server.url, admin, fs.readFileSync(zipPath()), { permissions: declaredPermissions() });
		expect(installed.status).toBe(200);
		const app = installed.body.app as Record<string, unknown>;
		expect([app.id, app.version, app.status, installed.body.success]).toEqual([APP_ID, '1.0.0', 'manually_enabled', true]);
		const res = await documentedCall(server);
		expect([res.status, await res.json()]).toEqual([200, documentedResponseAsServed()]);
		const again = await upload(server.url, admin, fs.readFileSync(zipPath()), { permissions: declaredPermissions() });
		expect(again).toEqual({ status: 400, body: { success: false, error: 'App already exists.' } });
	});

	it('POST /api/apps/:id of a bumped version updates in place: the changed setting stays, /api/info shows 1.0.1', async () => {
		const set = await postJson(`${server.url}/api/apps/${APP_ID}/settings`, admin, {
			settings: [{ id: 'allowed_roles', value: 'admin' }],
		});
		expect(set).toEqual({ status: 200, body: { updated: [{ id: 'allowed_roles', value: 'admin' }], success: true } });
		expect((await documentedCall(server, DEMO_AGENT)).status).toBe(403);

		const updated = await upload(server.url, admin, zipWithVersion('1.0.1'), { appId: APP_ID, permissions: declaredPermissions() });
		const app = updated.body.app as Record<string, unknown>;
		expect([updated.status, app.version]).toEqual([200, '1.0.1']);
		if (AFTER_UPDATE[engine] === 'initialized') {
			// 1.53.1: changing a setting wrote the app's in-memory storage item, whose status is the one it was built
			// with, over the stored one (the settings manager updates the whole document, as Rocket.Chat's Mongo storage
			// does); update() then reads "not enabled" and only initializes the new version. An admin enables it again.
			expect(app.status).toBe('initialized');
			expect(await server.host.changeStatus('manually_enabled')).toBe('manually_enabled');
		} else {
			// enabled again: 1.59/1.62 report it as the admin left it (manually_enabled), 1.42's updateLocal as auto_enabled
			expect(app.status).toMatch(/^(manually|auto)_enabled$/);
		}
		const info = (await getJson(`${server.url}/api/info`)).body;
		expect((info.app as Record<string, unknown>).version).toBe('1.0.1');
		expect(((await getJson(`${server.url}/api/apps/${APP_ID}`, admin)).body.app as Record<string, unknown>).version).toBe('1.0.1');
		const settings = (await getJson(`${server.url}/api/apps/${APP_ID}/settings`, admin)).body.settings as Record<
			string,
			{ value?: unknown }
		>;
		expect(settings.allowed_roles.value).toBe('admin');
		// the new version runs with the kept setting: the admin caller is let in, the agent is not
		expect((await documentedCall(server)).status).toBe(200);
		expect((await documentedCall(server, DEMO_AGENT)).status).toBe(403);
	});

	it("a corrupt zip is refused with the engine's reason, and 1.0.1 keeps answering", async () => {
		const corrupt = fs.readFileSync(zipPath()).subarray(0, 4000);
		const refused = await upload(server.url, admin, corrupt, { appId: APP_ID, permissions: declaredPermissions() });
		expect(refused).toEqual({
			status: 400,
			body: { success: false, error: 'ADM-ZIP: Invalid or unsupported zip format. No END header found' },
		});
		expect(((await getJson(`${server.url}/api/info`)).body.app as Record<string, unknown>).version).toBe('1.0.1');
		const res = await documentedCall(server);
		expect([res.status, await res.json()]).toEqual([200, documentedResponseAsServed()]);
	});

	it('logout ends the session', async () => {
		const session = await login(server.url, ADMIN);
		const before = loginTokenCount(server.host.db);
		const out = await fetch(`${server.url}/api/v1/logout`, { method: 'POST', headers: headers(session) });
		expect([out.status, await out.json(), loginTokenCount(server.host.db)]).toEqual([
			200,
			{ status: 'success', data: { message: "You've been logged out!" } },
			before - 1,
		]);
		expect((await getJson(`${server.url}/api/v1/me`, session)).status).toBe(401);
	});
});
