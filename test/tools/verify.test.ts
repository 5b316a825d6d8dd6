/**
 * `npm run verify` against the stand-in (test/server, what `npm start` runs): on every engine of ENGINES a
 * read-only run and a --create run as real processes (tsx tools/verify.ts, the table and --json); through
 * docs/original-urls.md's nginx and Caddy with --original-urls and the limiter on; and the failures, each naming its check: the app not installed or disabled,
 * no proxy rules, wrong credentials, an unreachable workspace, no agent available, a failure in the middle and a
 * Ctrl-C, after both of which everything the run created is removed. One server per engine, shared by its cases.
 */
import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { lineOf } from '../engine/lines';
import type { EngineName } from '../engine/host';
import { ENGINES } from '../engine/support';
import { ADMIN, APP_ID } from '../server/deploySupport';
import type { RunningServer } from '../server/index';
import { DEMO } from '../server/index';
import { serverPerSuite } from '../server/support';
import { rocketChatVersion } from '../server/restApi';
import type { RunningProxy } from '../proxy/proxies';
import { freePort, proxyTools, startProxy } from '../proxy/proxies';
import { ROOT } from '../../tools/package';
import type { Check, VerifyOptions } from '../../tools/verify';
import { atOriginalUrl, CHECK, describeRow, verify } from '../../tools/verify';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const VERIFY = path.join(ROOT, 'tools', 'verify.ts');

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

function spawnVerify(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Run> } {
	const childEnv = { ...process.env, ...env };
	if (!('VOIPROOM_VERIFY_PASSWORD' in env)) {
		delete childEnv.VOIPROOM_VERIFY_PASSWORD;
	}
	delete childEnv.VOIPROOM_VERIFY_TOKEN;
	const child = spawn(TSX, [VERIFY, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
	child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
	const done = new Promise<Run>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
	return { child, done };
}

function runVerify(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
	return spawnVerify(args, env).done;
}

const AGENT = ['--user-id', DEMO.agentId, '--token', DEMO.agentToken];
const AS_ADMIN = ['--username', ADMIN.username];
const ADMIN_ENV = { VOIPROOM_VERIFY_PASSWORD: ADMIN.password };

const READ_ONLY = [
	CHECK.workspace,
	CHECK.credentials,
	CHECK.app,
	CHECK.missingParams,
	CHECK.unknownParam,
	CHECK.unknownToken,
	CHECK.noCredentials,
	CHECK.closeUnknownToken,
	CHECK.rateLimit,
];
const CREATE_STEPS = [CHECK.visitor, CHECK.created, CHECK.again, CHECK.byRid, CHECK.command, CHECK.close, CHECK.closeAgain];
const CREATE = [...READ_ONLY, ...CREATE_STEPS, CHECK.removed];

/** The error checks' answers, as the contract words them (the table's "what it saw"). */
const ERROR_DETAILS: Record<string, string> = {
	[CHECK.missingParams]: `400 {"success":false,"error":"must have required property 'token' [invalid-params]","errorType":"invalid-params"}`,
	[CHECK.unknownParam]: `400 {"success":false,"error":"must NOT have additional properties: 'verify' [invalid-params]","errorType":"invalid-params"}`,
	[CHECK.unknownToken]: '400 {"success":false,"error":"invalid-token"}',
	[CHECK.noCredentials]: '401 text/html Unauthorized',
	[CHECK.closeUnknownToken]: '400 {"success":false,"error":"invalid-token"}',
};

/** What a run left on the stand-in: visitors and rooms of verify's made-up tokens. */
function leftovers(server: RunningServer): string[] {
	const db = server.host.db;
	return [
		...db.visitors.filter((visitor) => visitor.token.startsWith('voiproom-verify-')).map((visitor) => `visitor ${visitor.token}`),
		...db.rooms.filter((room) => !!room.v && String(room.v.token).startsWith('voiproom-verify-')).map((room) => `room ${room._id}`),
		...(db.messages || [])
			.filter((message) => String(message.token || '').startsWith('voiproom-verify-'))
			.map((m) => `message ${m._id}`),
	];
}

function names(checks: Check[]): string[] {
	return checks.map((check) => check.name);
}

function failed(checks: Check[]): string[] {
	return checks.filter((check) => !check.ok).map((check) => check.name);
}

/** The table's rows: check name, result, ms, what it saw. */
function tableRows(stdout: string): Array<{ name: string; result: string; detail: string }> {
	return stdout
		.split('\n')
		.slice(1)
		.map((line) => /^(.+?)\s{2,}(pass|FAIL)\s+\d+\s{2}(.*)$/.exec(line))
		.filter((match): match is RegExpExecArray => match !== null)
		.map((match) => ({ name: match[1], result: match[2], detail: match[3] }));
}

describe.each(ENGINES)('npm run verify against the stand-in on engine %s', (engine: EngineName) => {
	let server: RunningServer;

	serverPerSuite({ engine, port: 0, rateLimit: false }, (started) => (server = started));

	it('read-only, as an agent with a personal access token: the table, every check passes, exit 0, nothing written', async () => {
		const before = JSON.stringify(server.host.db);
		const run = await runVerify(['--url', server.url, ...AGENT]);
		expect([run.code, run.stderr]).toEqual([0, '']);
		const lines = run.stdout.trimEnd().split('\n');
		expect(lines[0]).toMatch(/^check\s+result\s+ms\s+what it saw$/);
		const rows = tableRows(run.stdout);
		expect(rows.map((row) => [row.name, row.result])).toEqual(READ_ONLY.map((name) => [name, 'pass']));
		const version = rocketChatVersion(engine);
		expect(rows[0].detail).toBe(describeRow(version, lineOf(version)));
		expect(rows[1].detail).toBe(`personal access token of "kim.jane" (${DEMO.agentId}; roles user, livechat-agent)`);
		expect(rows[2].detail).toMatch(
			/^the endpoint answers with the app's own JSON error \(the apps API refused "kim\.jane": HTTP 403: /,
		);
		for (const row of rows.slice(3, 8)) {
			expect([row.name, row.detail]).toEqual([row.name, ERROR_DETAILS[row.name]]);
		}
		expect(rows[8].detail).toBe("the limiter is off (the app's requests_per_minute is 0): no X-RateLimit-* headers");
		expect(lines[lines.length - 1]).toMatch(
			new RegExp(`^ok: all 9 checks passed on ${server.url.replace(/\./g, '\\.')} in \\d+\\.\\d s$`),
		);
		expect(JSON.stringify(server.host.db)).toBe(before);
	});

	it('--create --json as the administrator (password from VOIPROOM_VERIFY_PASSWORD): the room made, found, closed, removed; exit 0', async () => {
		const run = await runVerify(['--url', server.url, ...AS_ADMIN, '--agent-id', DEMO.agentId, '--create', '--json'], ADMIN_ENV);
		expect([run.code, run.stderr]).toEqual([0, '']);
		const report = JSON.parse(run.stdout) as {
			workspace: { url: string; version: string; row: unknown };
			checks: Check[];
			created: { visitorToken: string; roomId: string };
			cleanedUp: boolean;
			ok: boolean;
		};
		expect(Object.keys(report)).toEqual(['workspace', 'checks', 'created', 'cleanedUp', 'ok']);
		const version = rocketChatVersion(engine);
		expect(report.workspace).toEqual({ url: server.url, version, row: JSON.parse(JSON.stringify(lineOf(version))) });
		expect(report.checks.map((check) => Object.keys(check))).toEqual(CREATE.map(() => ['name', 'ok', 'detail', 'ms']));
		expect(names(report.checks)).toEqual(CREATE);
		expect(failed(report.checks)).toEqual([]);
		expect([report.cleanedUp, report.ok]).toEqual([true, true]);
		const { visitorToken, roomId } = report.created;
		expect(visitorToken).toMatch(/^voiproom-verify-[0-9a-f]{16}$/);
		const detail = (name: string): string | undefined => report.checks.find((check) => check.name === name)?.detail;
		expect(detail(CHECK.created)).toBe(`200 newRoom: true, room ${roomId} (t l), served by ${DEMO.agentId}`);
		expect(detail(CHECK.again)).toBe(`200 newRoom: false, the same room ${roomId}`);
		expect(detail(CHECK.byRid)).toBe(`200 newRoom: false, room ${roomId}, the documented keys in the documented order`);
		expect(detail(CHECK.close)).toBe(`200 {"rid":"${roomId}","success":true}`);
		expect(detail(CHECK.closeAgain)).toBe('400 {"success":false,"error":"room-closed"}');
		expect(detail(CHECK.removed)).toBe(`visitor ${visitorToken} removed, and with it room ${roomId} and its messages`);
		expect(leftovers(server)).toEqual([]);
	});
});

describe('npm run verify: the failures, each naming its check (engine 1.62)', () => {
	let server: RunningServer;
	const options = (extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
		url: server.url,
		username: ADMIN.username,
		password: ADMIN.password,
		agentId: DEMO.agentId,
		create: false,
		originalUrls: false,
		json: false,
		...extra,
	});

	serverPerSuite({ engine: '1.62', port: 0, rateLimit: false }, (started) => (server = started));

	it("the README's command (Check it works), on this server: the rows and the summary it shows", async () => {
		const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
		const section = readme.slice(readme.indexOf('## Check it works'), readme.indexOf('## The endpoints and the command'));
		const command = /^npm run verify -- --url http:\/\/127\.0\.0\.1:3000 (.*)$/m.exec(section);
		const shown = section
			.split('\n')
			.map((line) => /^# {2}(.+?)\s{2,}(pass|FAIL)\s+\d+\s{2}/.exec(line))
			.filter((match): match is RegExpExecArray => match !== null)
			.map((match) => [match[1], match[2]]);
		const promised = /^# {2}(ok: all \d+ checks passed) on http:\/\/127\.0\.0\.1:3000 in \d+\.\d s$/m.exec(section);
		if (!command || !promised) {
			throw new Error('README.md, Check it works: no `npm run verify -- --url http://127.0.0.1:3000 …` line, or no summary line');
		}
		expect(shown.length).toBeGreaterThan(3);
		const run = await runVerify(['--url', server.url, ...command[1].split(/\s+/)], ADMIN_ENV);
		expect([run.code, run.stderr]).toEqual([0, '']);
		const rows = tableRows(run.stdout).map((row) => [row.name, row.result]);
		expect(rows.filter((row) => shown.some((line) => line[0] === row[0]))).toEqual(shown);
		expect(run.stdout.trimEnd().split('\n').pop()).toMatch(
			new RegExp(`^${promised[1]} on ${server.url.replace(/\./g, '\\.')} in \\d+\\.\\d s$`),
		);
		expect(leftovers(server)).toEqual([]);
	});

	it('wrong credentials: one line naming the check, exit 1', async () => {
		const run = await runVerify(['--url', server.url, '--username', ADMIN.username, '--password', 'not-the-password']);
		expect([run.code, run.stdout, run.stderr]).toEqual([
			1,
			'',
			`npm run verify: credentials: wrong credentials: the workspace refused the login of "admin" (HTTP 401: unauthorized)\n`,
		]);
	});

	it('an unreachable workspace: one line naming the check, exit 1', async () => {
		const port = await freePort();
		const run = await runVerify(['--url', `http://127.0.0.1:${port}`, ...AGENT]);
		expect([run.code, run.stdout, run.stderr]).toEqual([
			1,
			'',
			`npm run verify: workspace: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`,
		]);
	});

	it('bad usage: exit 2; --help says that --create changes data, exit 0', async () => {
		const bad = await runVerify(['--url', server.url]);
		expect(bad.code).toBe(2);
		expect(bad.stderr.split('\n')[0]).toBe(
			'npm run verify: log in with --username and --password (or VOIPROOM_VERIFY_PASSWORD), or with --user-id and --token',
		);
		const help = await runVerify(['--help']);
		expect(help.code).toBe(0);
		expect(help.stderr).toMatch(/--create\s+CHANGES DATA: /);
	});

	it('the app disabled: the apps API says so (as an admin), the endpoint does not answer (as an agent)', async () => {
		await server.host.changeStatus('manually_disabled');
		try {
			const admin = await verify(options());
			expect(names(admin.checks)).toEqual([CHECK.workspace, CHECK.credentials, CHECK.app]);
			expect(admin.checks[2]).toMatchObject({
				ok: false,
				detail: 'VoipRoom 1.0.0 is installed but not enabled: status manually_disabled (Administration → Apps → VoipRoom)',
			});
			expect(admin.ok).toBe(false);
			const agent = await verify(options({ username: undefined, password: undefined, userId: DEMO.agentId, token: DEMO.agentToken }));
			expect(agent.checks[2]).toMatchObject({
				name: CHECK.app,
				ok: false,
				detail: `not installed or not enabled: /api/apps/public/${APP_ID}/voip/room answered 404 text/plain Not Found`,
			});
		} finally {
			await server.host.changeStatus('manually_enabled');
			await server.host.setSetting('requests_per_minute', 0);
		}
	});

	it('no proxy rules in front: every call at the original URL fails, naming the missing rules', async () => {
		const report = await verify(options({ originalUrls: true }));
		const original = report.checks.filter((check) => check.name.endsWith('(original URL)'));
		expect(names(original)).toEqual(
			[CHECK.missingParams, CHECK.unknownParam, CHECK.unknownToken, CHECK.noCredentials, CHECK.closeUnknownToken].map(atOriginalUrl),
		);
		for (const check of original) {
			expect(check.ok).toBe(false);
			expect(check.detail).toMatch(
				/: \/api\/v1\/voip\/room(\.close)? does not reach the app: the proxy rules are missing or wrong \(docs\/original-urls\.md\)$/,
			);
		}
		expect(failed(report.checks)).toEqual(names(original));
	});

	it('no agent available: "room created" fails naming the cause; the test visitor is removed', async () => {
		const report = await verify(options({ create: true, agentId: DEMO.offlineAgentId }));
		expect(names(report.checks)).toEqual([...READ_ONLY, CHECK.visitor, CHECK.created, CHECK.removed]);
		expect(failed(report.checks)).toEqual([CHECK.created]);
		expect(report.checks.find((check) => check.name === CHECK.created)!.detail).toBe(
			'expected 200 with newRoom: true, got 500 {"success":false,"error":"Internal server error"}: Rocket.Chat refused to create the room. ' +
				`The usual cause: no agent available (Rocket.Chat's no-agent-online: agent ${DEMO.offlineAgentId} must be online and "available" in Omnichannel); ` +
				"the cause is in the app's log (Administration → Apps → VoipRoom → Logs)",
		);
		expect([report.cleanedUp, report.ok, report.created.roomId]).toEqual([true, false, null]);
		expect(leftovers(server)).toEqual([]);
	});

	it('a failure in the middle (the close fails once): the cleanup closes the room and removes the visitor', async () => {
		server.host.faults.set('livechat.closeRoom', 'throw', 1);
		try {
			const report = await verify(options({ create: true }));
			expect(names(report.checks)).toEqual([...READ_ONLY, ...CREATE_STEPS.slice(0, -1), CHECK.cleanupClose, CHECK.removed]);
			expect(failed(report.checks)).toEqual([CHECK.close]);
			const roomId = report.created.roomId;
			expect(report.checks.find((check) => check.name === CHECK.close)!.detail).toBe(
				`expected 200 {"rid":"${roomId}","success":true}, got 500 {"success":false,"error":"Internal server error"}`,
			);
			expect(report.checks.find((check) => check.name === CHECK.cleanupClose)!.detail).toBe(
				`room ${roomId}: 200 {"rid":"${roomId}","success":true}`,
			);
			expect([report.cleanedUp, report.ok, report.leftBehind]).toEqual([true, false, []]);
			expect(leftovers(server)).toEqual([]);
		} finally {
			server.host.faults.clear();
		}
	});

	it("the app's limiter on (5 per 1.5 s window): the headers checked, the run waits for the window and passes", async () => {
		await server.host.setSetting('rate_limit_window_ms', 1500);
		await server.host.setSetting('requests_per_minute', 5);
		const notes: string[] = [];
		try {
			const report = await verify(options({ create: true }), { note: (line) => notes.push(line) });
			expect(failed(report.checks)).toEqual([]);
			expect(report.checks.find((check) => check.name === CHECK.rateLimit)!.detail).toMatch(
				/^X-RateLimit-Limit 5, Remaining 2, Reset in [0-2] s$/,
			);
			expect(notes.length).toBeGreaterThan(0);
			expect(notes[0]).toMatch(
				/^waiting [12] s: the app allows 5 requests per window on voip\/room \(setting requests_per_minute\)$/,
			);
			expect(leftovers(server)).toEqual([]);
		} finally {
			await server.host.setSetting('requests_per_minute', 0);
			await server.host.setSetting('rate_limit_window_ms', 60000);
		}
	});

	it('Ctrl-C in the middle (a spawned run, SIGINT while "room found again" is under way): cleaned up, exit 130', async () => {
		// the first visitor-room lookup once the test room exists: the second GET voip/room ("room found again")
		let held = false;
		let reached!: () => void;
		const atSecondLookup = new Promise<void>((resolve) => (reached = resolve));
		let release!: () => void;
		const released = new Promise<void>((resolve) => (release = resolve));
		server.host.faults.hold('livechat.findRooms', () => {
			if (held || leftovers(server).filter((thing) => thing.startsWith('room ')).length === 0) {
				return undefined;
			}
			held = true;
			reached();
			return released;
		});
		try {
			const { child, done } = spawnVerify(['--url', server.url, ...AS_ADMIN, '--agent-id', DEMO.agentId, '--create'], ADMIN_ENV);
			await atSecondLookup;
			child.kill('SIGINT');
			await new Promise((resolve) => setTimeout(resolve, 300));
			release();
			const run = await done;
			expect(run.code).toBe(130);
			expect(run.stderr).toBe('npm run verify: SIGINT: stopping after the call under way, then removing what it created…\n');
			const rows = tableRows(run.stdout);
			expect(rows.map((row) => [row.name, row.result])).toEqual(
				[...READ_ONLY, CHECK.visitor, CHECK.created, CHECK.again, CHECK.cleanupClose, CHECK.removed].map((name) => [name, 'pass']),
			);
			expect(run.stdout.trimEnd().split('\n').pop()).toMatch(
				/^interrupted after 14 checks \(\d+\.\d s\); everything it created is removed$/,
			);
			expect(leftovers(server)).toEqual([]);
		} finally {
			server.host.faults.clear();
		}
	});
});

describe('npm run verify: the app not installed', () => {
	let server: RunningServer;

	serverPerSuite({ engine: '1.62', port: 0, installApp: false }, (started) => (server = started));

	it('"app installed and enabled" fails, exit 1, nothing else is called', async () => {
		const run = await runVerify(['--url', server.url, ...AS_ADMIN], ADMIN_ENV);
		expect(run.code).toBe(1);
		const rows = tableRows(run.stdout);
		expect(rows.map((row) => [row.name, row.result])).toEqual([
			[CHECK.workspace, 'pass'],
			[CHECK.credentials, 'pass'],
			[CHECK.app, 'FAIL'],
		]);
		expect(rows[2].detail).toBe(
			`VoipRoom (${APP_ID}) is not installed: GET /api/apps/${APP_ID} answered 404 (npm run deploy installs it)`,
		);
		expect(run.stdout.trimEnd().split('\n').pop()).toMatch(
			new RegExp(`^FAILED: 1 of 3 checks on ${server.url.replace(/\./g, '\\.')} \\(app installed and enabled\\) in \\d+\\.\\d s$`),
		);
	});
});

const tools = proxyTools();
const missing = [...tools.nginx.missing, ...tools.caddy.missing];
const proxiesRun = missing.length === 0 || !!process.env.CI;
if (!proxiesRun) {
	process.stderr.write(`test/tools/verify.test.ts: the proxy cases not run: ${missing.join(', ')} missing\n`);
}

(proxiesRun ? describe : describe.skip)(
	"npm run verify --original-urls through docs/original-urls.md's nginx and Caddy, the limiter on (engine 1.62)",
	() => {
		let server: RunningServer;
		const proxies: Partial<Record<'nginx' | 'caddy', RunningProxy>> = {};

		serverPerSuite({ engine: '1.62', port: 0, rateLimit: false }, (started) => (server = started));

		beforeAll(async () => {
			proxies.nginx = await startProxy('nginx', { upstreamPort: server.port });
			proxies.caddy = await startProxy('caddy', { upstreamPort: server.port });
			// the limiter on, with a short window: the calls at both URLs count in one bucket, and the run waits it out
			await server.host.setSetting('rate_limit_window_ms', 1500);
			await server.host.setSetting('requests_per_minute', 5);
		});

		afterAll(async () => {
			await Promise.all(Object.values(proxies).map((proxy) => proxy && proxy.stop()));
		});

		it.each(['nginx', 'caddy'] as const)('%s: --create --original-urls, every answer the same at both URLs, exit 0', async (name) => {
			const proxy = proxies[name]!;
			const run = await runVerify(
				['--url', proxy.url, ...AS_ADMIN, '--agent-id', DEMO.agentId, '--create', '--original-urls', '--json'],
				ADMIN_ENV,
			);
			expect([run.code, run.stderr]).toEqual([0, '']);
			const report = JSON.parse(run.stdout) as { checks: Check[]; ok: boolean; cleanedUp: boolean };
			const original = [CHECK.missingParams, CHECK.unknownParam, CHECK.unknownToken, CHECK.noCredentials, CHECK.closeUnknownToken];
			expect(names(report.checks)).toEqual([
				CHECK.workspace,
				CHECK.credentials,
				CHECK.app,
				...original.flatMap((check) => [check, atOriginalUrl(check)]),
				CHECK.rateLimit,
				CHECK.visitor,
				CHECK.created,
				CHECK.again,
				atOriginalUrl(CHECK.again),
				CHECK.byRid,
				atOriginalUrl(CHECK.byRid),
				CHECK.command,
				CHECK.close,
				CHECK.closeAgain,
				atOriginalUrl(CHECK.closeAgain),
				CHECK.removed,
			]);
			expect(failed(report.checks)).toEqual([]);
			expect(report.checks.find((check) => check.name === CHECK.close)!.detail).toMatch(/ at \/api\/v1\/voip\/room\.close$/);
			expect(report.checks.find((check) => check.name === CHECK.rateLimit)!.detail).toMatch(
				/^X-RateLimit-Limit 5, Remaining [0-4], Reset in [0-2] s$/,
			);
			expect([report.ok, report.cleanedUp]).toEqual([true, true]);
			expect(leftovers(server)).toEqual([]);
		});
	},
);
