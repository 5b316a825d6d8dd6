/**
 * `npm run deploy` with the real `rc-apps deploy` (apps-cli 1.9.0) against a running stand-in on an ephemeral port:
 * first deploy installs, a bumped copy updates in place (changed setting kept, /api/info shows the new version),
 * wrong password / no manage-apps / unreachable / not a Rocket.Chat / a package the engine refuses are one line
 * each and change nothing, a corrupt upload is refused while the old version answers, no --url is usage + exit 2.
 *
 * The CLI compiles the app on every deploy (10-25 s here), so the CLI cases run on one Deno engine and on the
 * in-process engine (the two runtimes); the apps API itself is checked on every engine by test/server/appsApi.test.ts.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import type { AddressInfo } from 'net';
import * as path from 'path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';

import { ENGINE_TABLE, isDenoEngine } from '../engine/engines';
import type { EngineName } from '../engine/host';
import { documentedResponseAsServed, ENGINES } from '../engine/support';
import { loginTokenCount } from '../server/accounts';
import type { Session } from '../server/deploySupport';
import {
	ADMIN,
	APP_ID,
	appCopy,
	declaredPermissions,
	deployData,
	from8,
	getJson,
	login,
	NOT_ADMIN,
	postJson,
	upload,
	zipContents,
} from '../server/deploySupport';
import type { RunningServer } from '../server/index';
import { DEMO, startServer } from '../server/index';
import { cliErrorText, mapCliFailure } from '../../tools/deploy';
import { ROOT, zipPath } from '../../tools/package';

const CLI_TIMEOUT = 180000;

/** One engine of each runtime: the newest Deno engine and the first in-process one of ENGINES (the CLI costs ~10 s a run). */
const CLI_ENGINES: EngineName[] = [
	[...ENGINES].reverse().find((name) => isDenoEngine(name)),
	ENGINES.find((name) => !isDenoEngine(name)),
].filter((name): name is EngineName => name !== undefined);

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** What `npm run deploy -- …` runs (tsx tools/deploy.ts), without npm echoing the arguments. */
function runDeploy(args: string[], viaNpm = false): Promise<Run> {
	const started = Date.now();
	const env = { ...process.env };
	delete env.VOIPROOM_DEPLOY_PASSWORD;
	delete env.VOIPROOM_DEPLOY_TOKEN;
	const [command, argv] = viaNpm
		? ['npm', ['run', '--silent', 'deploy', '--', ...args]]
		: [path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'tools', 'deploy.ts'), ...args]];
	return new Promise((resolve, reject) => {
		const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
	});
}

function documentedCall(server: RunningServer, user = { id: DEMO.callerId, token: DEMO.callerToken }): Promise<Response> {
	return fetch(`${server.appBaseUrl}/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, {
		headers: { 'X-User-Id': user.id, 'X-Auth-Token': user.token },
	});
}

async function installedVersion(server: RunningServer): Promise<string | null> {
	const app = (await getJson(`${server.url}/api/info`)).body.app as { version: string } | null;
	return app ? app.version : null;
}

const timings: Record<string, number> = {};

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `npm run deploy` line of docs/install.md for the local stand-in, with this server's URL, and the line it promises. */
function readmeDeploy(url: string): { args: string[]; promised: string } {
	const readme = fs.readFileSync(path.join(ROOT, 'docs', 'install.md'), 'utf8');
	const local = 'http://127.0.0.1:3000';
	const command = /^npm run deploy -- (--url http:\/\/127\.0\.0\.1:3000 .*)$/m.exec(readme);
	const promised = /`(updated VoipRoom \S+ \(was \S+\) on http:\/\/127\.0\.0\.1:3000)`/.exec(readme);
	if (!command || !promised) {
		throw new Error('docs/install.md: no `npm run deploy -- --url http://127.0.0.1:3000 …` line, or not the line it promises');
	}
	return { args: command[1].split(/\s+/).map((arg) => (arg === local ? url : arg)), promised: promised[1].replace(local, url) };
}

afterAll(() => {
	// the suite's own measurements, for the report (ms per rc-apps run)
	console.log(`deploy suite timings (ms): ${JSON.stringify(timings)}`);
});

/**
 * The first engine (Deno) gets the whole story from an empty workspace: install, update, and a refusal reported by
 * rc-apps. The other runtime starts with 1.0.0 installed (as `npm start` does) and gets the update: the CLI's other
 * branch ("App already exists - updating it") on the other engine, for one compile instead of three.
 */
describe.each(CLI_ENGINES)('npm run deploy with rc-apps against the stand-in on engine %s', (engine) => {
	const full = engine === CLI_ENGINES[0];
	const startVersion = full ? null : '1.0.0';
	let server: RunningServer;
	let admin: Session;
	const copies: string[] = [];
	const uploads: Buffer[] = [];

	beforeAll(async () => {
		server = await startServer({ engine, port: 0, installApp: !full, data: deployData() });
		admin = await login(server.url, ADMIN);
		const host = server.host;
		const install = host.installPackage.bind(host);
		const update = host.update.bind(host);
		jest.spyOn(host, 'installPackage').mockImplementation((zip, options) => {
			uploads.push(zip);
			return install(zip, options);
		});
		jest.spyOn(host, 'update').mockImplementation((zip, options) => {
			uploads.push(zip);
			return update(zip, options);
		});
	});

	afterAll(async () => {
		copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
		if (server) {
			await server.stop();
		}
	});

	const asAdmin = (extra: string[] = []): string[] => [
		'--url',
		server.url,
		'--username',
		ADMIN.username,
		'--password',
		ADMIN.password,
		...extra,
	];

	it('a user without manage-apps: one line, exit 1, nothing installed or changed, nothing compiled', async () => {
		const run = await runDeploy(['--url', server.url, '--username', NOT_ADMIN.username, '--password', NOT_ADMIN.password]);
		expect([run.code, run.stderr.split('\n').filter(Boolean)]).toEqual([
			1,
			[
				expect.stringMatching(
					new RegExp(
						`^npm run deploy: "sam\\.wise" lacks the manage-apps permission: the workspace refused GET /api/apps/${APP_ID} \\(HTTP 403: User does not have the permissions required for this action \\[${from8(engine) ? 'error-forbidden' : 'error-unauthorized'}\\]\\); deploy as an administrator$`,
					),
				),
			],
		]);
		expect(run.stdout).not.toContain('rc-apps deploy');
		expect(await installedVersion(server)).toBe(startVersion);
		expect(uploads).toHaveLength(0);
	});

	if (full) {
		it(
			'first deploy installs: the endpoint answers, the server got the tested zip, no credentials left anywhere',
			async () => {
				const sessionsBefore = loginTokenCount(server.host.db);
				const version = (await getJson(`${server.url}/api/info`)).body.version as string;
				const run = await runDeploy(asAdmin());
				timings[`${engine} install`] = run.ms;
				expect([run.code, run.stderr]).toEqual([0, '']);
				expect(run.stdout.split('\n')).toEqual([
					`Rocket.Chat ${version} at ${server.url}`,
					'VoipRoom is not installed: installing 1.0.0 as admin',
					'rc-apps deploy: compiling and uploading (10–25 s)…',
					expect.stringMatching(
						new RegExp(
							`^installed VoipRoom 1\\.0\\.0 on ${server.url.replace(/\./g, '\\.')}: manually_enabled; rc-apps took \\d+\\.\\d s, all \\d+\\.\\d s$`,
						),
					),
					`its endpoint: ${server.url}/api/apps/public/${APP_ID}/voip/room`,
					'',
				]);
				const res = await documentedCall(server);
				expect([res.status, await res.json()]).toEqual([200, documentedResponseAsServed()]);
				// what was deployed is what `npm run package` made and the tests test (but the packager's time stamp)
				expect(uploads).toHaveLength(1);
				expect(zipContents(uploads[0])).toEqual(zipContents(fs.readFileSync(zipPath())));
				expect(Object.keys(zipContents(uploads[0])).filter((name) => /rcappsconfig|^test\/|node_modules/.test(name))).toEqual([]);
				expect(fs.existsSync(path.join(ROOT, '.rcappsconfig'))).toBe(false);
				// nor in a staging copy left behind (they are removed with their .rcappsconfig)
				const leftBehind = fs
					.readdirSync(os.tmpdir())
					.filter((name) => name.startsWith('voiproom-package-') && fs.existsSync(path.join(os.tmpdir(), name, '.rcappsconfig')));
				expect(leftBehind).toEqual([]);
				expect(`${run.stdout}${run.stderr}`).not.toContain(ADMIN.password);
				// the session the script opened for rc-apps is logged out
				expect(loginTokenCount(server.host.db)).toBe(sessionsBefore);
			},
			CLI_TIMEOUT,
		);
	}

	it('a personal access token: a refused one is one line; a valid one of a user without manage-apps is refused as such', async () => {
		const bad = await runDeploy(['--url', server.url, '--user-id', DEMO.agentId, '--token', 'not-a-token']);
		expect([bad.code, bad.stderr]).toEqual([
			1,
			`npm run deploy: wrong credentials: the workspace refused the personal access token of user id ${DEMO.agentId} (HTTP 401: You must be logged in to do this.)\n`,
		]);
		const agent = await runDeploy(['--url', server.url, '--user-id', DEMO.agentId, '--token', DEMO.agentToken]);
		expect([agent.code, agent.stderr]).toEqual([
			1,
			`npm run deploy: "kim.jane" lacks the manage-apps permission: the workspace refused GET /api/apps/${APP_ID} (HTTP 403: User does not have the permissions required for this action [${from8(engine) ? 'error-forbidden' : 'error-unauthorized'}]); deploy as an administrator\n`,
		]);
	});

	it('wrong password: one line, exit 1, before anything is compiled', async () => {
		const run = await runDeploy(['--url', server.url, '--username', ADMIN.username, '--password', 'not-the-password']);
		expect([run.code, run.stderr.split('\n').filter(Boolean)]).toEqual([
			1,
			[
				`npm run deploy: wrong credentials: the workspace refused the login of "admin" (HTTP 401: ${from8(engine) ? 'unauthorized' : 'Incorrect password'})`,
			],
		]);
		expect(run.stdout).not.toContain('rc-apps deploy');
	});

	/**
	 * Deno: a bumped copy (1.0.1) over what the first deploy installed. The other runtime: the command of docs/install.md
	 * against a workspace that runs 1.0.0, as `npm start` does (its URL swapped for this server's).
	 */
	const afterUpdate = full ? '1.0.1' : '1.0.0';
	it(
		full
			? 'a second deploy of a bumped copy updates in place: the changed setting stays, /api/info shows 1.0.1'
			: 'the command of docs/install.md updates the running 1.0.0 in place: the changed setting stays, the endpoint answers',
		async () => {
			const set = await postJson(`${server.url}/api/apps/${APP_ID}/settings`, admin, {
				settings: [{ id: 'allowed_roles', value: 'admin' }],
			});
			expect(set.status).toBe(200);
			const pidBefore = server.host.runtimePid(APP_ID);
			let args: string[];
			let promised: string;
			if (full) {
				const copy = appCopy('1.0.1');
				copies.push(copy);
				args = asAdmin(['--app-dir', copy]);
				promised = `updated VoipRoom 1.0.1 (was 1.0.0) on ${server.url}`;
			} else {
				({ args, promised } = readmeDeploy(server.url));
			}
			const run = await runDeploy(args);
			timings[`${engine} update`] = run.ms;
			expect([run.code, run.stderr]).toEqual([0, '']);
			const installedLine = new RegExp(
				`\\n${escapeRegExp('VoipRoom 1.0.0 is installed (')}(manually|auto)_enabled${escapeRegExp(`): updating it to ${afterUpdate} as admin`)}\\n`,
			);
			expect(run.stdout).toMatch(installedLine);
			expect(run.stdout).toContain(`\n${promised}: `);
			expect(await installedVersion(server)).toBe(afterUpdate);
			const settings = (await getJson(`${server.url}/api/apps/${APP_ID}/settings`, admin)).body.settings as Record<
				string,
				{ value?: unknown }
			>;
			expect(settings.allowed_roles.value).toBe('admin');
			// the new code answers, under the kept setting: the admin caller in, the agent out
			const res = await documentedCall(server);
			expect([res.status, await res.json()]).toEqual([200, documentedResponseAsServed()]);
			expect((await documentedCall(server, { id: DEMO.agentId, token: DEMO.agentToken })).status).toBe(403);
			if (isDenoEngine(engine)) {
				// the same server process; the engine replaced the app's runtime subprocess
				expect(server.host.runtimePid(APP_ID)).not.toBe(pidBefore);
			}
		},
		CLI_TIMEOUT,
	);

	it(`a corrupt zip (as an upload would send it) is refused with the engine's reason; ${afterUpdate} keeps answering`, async () => {
		const refused = await upload(server.url, admin, fs.readFileSync(zipPath()).subarray(0, 4000), {
			appId: APP_ID,
			permissions: declaredPermissions(),
		});
		expect(refused).toEqual({
			status: 400,
			body: { success: false, error: 'ADM-ZIP: Invalid or unsupported zip format. No END header found' },
		});
		expect(await installedVersion(server)).toBe(afterUpdate);
		expect((await documentedCall(server)).status).toBe(200);
	});

	if (full) {
		it(
			'a package the engine refuses (through rc-apps): its reason in one line, exit 1; 1.0.1 keeps answering',
			async () => {
				// rc-apps copies package.json's engine version into app.json's requiredApiVersion: one no engine has
				const copy = appCopy('1.0.2', (pkg) => {
					(pkg.devDependencies as Record<string, string>)['@rocket.chat/apps-engine'] = '99.0.0';
				});
				copies.push(copy);
				const run = await runDeploy(asAdmin(['--app-dir', copy]));
				timings[`${engine} refused`] = run.ms;
				expect([run.code, run.stderr]).toEqual([
					1,
					`npm run deploy: the workspace refused the app: Failed to load the App "VoipRoom" (${APP_ID}) as it requires v99.0.0 of the App API however your server comes with v${ENGINE_TABLE[engine].version}.\n`,
				]);
				expect(await installedVersion(server)).toBe('1.0.1');
				expect((await documentedCall(server)).status).toBe(200);
			},
			CLI_TIMEOUT,
		);
	}
});

describe('npm run deploy: the address', () => {
	it('no --url: the usage, exit 2', async () => {
		const run = await runDeploy([], true);
		expect(run.code).toBe(2);
		const lines = run.stderr.split('\n');
		expect(lines.slice(0, 2)).toEqual([
			'npm run deploy: --url is required',
			'usage: npm run deploy -- --url URL (--username NAME --password PASSWORD [--code 2FA] | --user-id ID --token TOKEN) [--app-dir DIR] [--verbose]',
		]);
		expect(run.stdout).toBe('');
	});

	it('nothing listening: one line, exit 1', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		const run = await runDeploy(['--url', `http://127.0.0.1:${port}`, '--username', 'admin', '--password', 'x']);
		expect([run.code, run.stderr]).toEqual([1, `npm run deploy: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`]);
	});

	it('a web server that is not a Rocket.Chat: one line, exit 1', async () => {
		const other = http.createServer((_req, res) => {
			res.setHeader('Content-Type', 'text/html');
			res.end('<html><body>It works!</body></html>');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
		try {
			const run = await runDeploy(['--url', url, '--username', 'admin', '--password', 'x']);
			expect([run.code, run.stderr]).toEqual([
				1,
				`npm run deploy: ${url} is not a Rocket.Chat workspace: GET /api/info answered HTTP 200 text/html (give the workspace's own URL)\n`,
			]);
		} finally {
			await new Promise<void>((resolve) => other.close(() => resolve()));
		}
	});
});

describe("rc-apps' own error messages (lib/misc/deployHelpers.js of the installed apps-cli) map to one line each", () => {
	const helpers = fs.readFileSync(path.join(ROOT, 'node_modules', '@rocket.chat', 'apps-cli', 'lib', 'misc', 'deployHelpers.js'), 'utf8');
	const thrown = (pattern: RegExp): string => {
		const m = pattern.exec(helpers);
		if (!m) {
			throw new Error(`apps-cli no longer has ${pattern}`);
		}
		return m[1];
	};

	it.each([
		['unreachable', thrown(/`(Problems conecting to Rocket\.Chat at )\$\{/) + 'http://x - please check the address', 'unreachable'],
		['login refused', thrown(/'(Invalid username and password[^']*)'/), 'credentials'],
		['token refused', thrown(/'(Invalid API token)'/), 'credentials'],
		['upload refused', `${thrown(/`(Deployment error: )\$\{/)}App already exists.`, 'refused'],
		[
			'no manage-apps at upload',
			`${thrown(/`(Deployment error: )\$\{/)}User does not have the permissions required for this action [error-forbidden]`,
			'permission',
		],
		['refused without a reason', `${thrown(/`(Deployment error: )\$\{/)}undefined`, 'refused'],
	])('%s', (_name, message, kind) => {
		// the CLI wraps its error twice and oclif prefixes it: "›   Error:    ⤳  Error: <message>"
		const text = cliErrorText(` ›   Error:    ⤳  Error: ${message}\n`);
		expect(text).toBe(message);
		const mapped = mapCliFailure(text, 'http://x', 'admin');
		expect(mapped.kind).toBe(kind);
		expect(mapped.message).not.toContain('\n');
	});
});
