/**
 * `npm start` (test/server/main.ts) as a process: progress and curl hints on stdout, the printed curl commands run
 * with curl, Ctrl-C to the whole process group (as a terminal sends it) and SIGTERM stopping the app's Deno
 * subprocess, a port in use, bad options and bad data files.
 */
import type { ChildProcess } from 'child_process';
import { execFile, spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { documentedResponseAsServed, SEED } from '../engine/support';
import { parseCli } from './main';
import { ROOT } from '../../tools/package';
import { request, waitGone } from './support';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join('test', 'server', 'main.ts');
const APP_ID = '2c6d81eb-0039-41a3-9399-92fd3df46d00';
const DEMO_ROOM = SEED.roomId;
const DEMO_TOKEN = SEED.visitorToken;
const DEMO_CALLER = { id: SEED.callerId, token: SEED.callerToken };

interface Cli {
	child: ChildProcess;
	stdout: () => string;
	stderr: () => string;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: Cli[] = [];

/** Starts the CLI in a process group of its own (so a test can signal the whole group, as a terminal's Ctrl-C does). */
function startCli(command: string, args: string[]): Cli {
	const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '' } });
	let out = '';
	let err = '';
	child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
	child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })),
	);
	const cli = { child, stdout: () => out, stderr: () => err, exited };
	running.push(cli);
	return cli;
}

async function waitFor(cli: Cli, pattern: RegExp, timeoutMs = 100000): Promise<RegExpMatchArray> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const match = cli.stdout().match(pattern);
		if (match) {
			return match;
		}
		if (cli.child.exitCode !== null || Date.now() > deadline) {
			throw new Error(`no ${pattern} in the CLI's output (exit ${cli.child.exitCode}):\n${cli.stdout()}\n${cli.stderr()}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

interface PrintedHint {
	title: string;
	command: string;
	expect: string;
}

/** The printed hints: `# N. title`, optional `#    note`, the command lines, `#  → what it answers`. */
function printedHints(stdout: string): PrintedHint[] {
	const hints: PrintedHint[] = [];
	let current: { title: string; lines: string[] } | undefined;
	for (const line of stdout.split('\n')) {
		const title = /^# \d+\. (.*)$/.exec(line);
		if (title) {
			current = { title: title[1], lines: [] };
		} else if (current && line.startsWith('#  → ')) {
			hints.push({ title: current.title, command: current.lines.join('\n'), expect: line.slice('#  → '.length) });
			current = undefined;
		} else if (current && !line.startsWith('#')) {
			current.lines.push(line);
		}
	}
	return hints;
}

function sh(command: string): Promise<string> {
	return new Promise((resolve, reject) =>
		execFile('sh', ['-c', command], { cwd: ROOT }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
	);
}

function groupKill(cli: Cli, signal: NodeJS.Signals): void {
	process.kill(-(cli.child.pid as number), signal);
}

afterEach(async () => {
	// a failed test must not leave a server running: the whole group, then its server's own session via its exit
	for (const cli of running.splice(0)) {
		if (cli.child.exitCode === null && cli.child.signalCode === null) {
			groupKill(cli, 'SIGTERM');
			await cli.exited;
		}
	}
});

describe('npm start (test/server/main.ts)', () => {
	it('starts on engine 1.62 with the demo data, prints its progress and hints; the printed curl commands answer as they say; Ctrl-C stops it', async () => {
		const cli = startCli(TSX, [MAIN, '--port', '0', '--quiet']);
		await waitFor(cli, /Stop: Ctrl-C\n/);
		const out = cli.stdout();
		const url = (/ready in .*(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out) || [])[1];
		expect(out.split('\n')[0]).toBe('VoipRoom on a local Rocket.Chat stand-in: Apps-Engine 1.62.0, Deno 2.3.1 runtime, demo data');
		// (a pending line, "package … packaging …", comes first when an app file changed since the zip was made)
		const lines = out.split('\n');
		const steps = lines.slice(1, lines.indexOf('')).filter((line) => !/^ {2}\S+ +…/.test(line));
		expect(steps.map((line) => line.trim().split(/\s+/)[0])).toEqual(['listen', 'package', 'runtime', 'engine', 'install', 'ready']);
		expect(out).toMatch(/ dist\/voiproom_1\.0\.0\.zip (up to date|packaged)\n/);
		expect(out).toContain('@rocket.chat/apps-engine 1.62.0 (Rocket.Chat 8.4)');
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(out).toContain(`App ${APP_ID} answers under ${url}/api/apps/public/${APP_ID}/`);
		expect(out).toContain(
			"Rate limit: 5 requests per minute per user and endpoint, the app's default; refused calls count too, so a 6th call within a minute answers 429. `npm start -- --no-rate-limit` turns it off.",
		);
		expect(out).toContain(
			"The documented page's token (867ad6a0…) is not its example room's visitor token; this uses the room's own (8s7e9ony6ctl27e1qf8kue).",
		);

		const hints = printedHints(out);
		expect(hints.map((hint) => hint.title)).toEqual([
			'The documented call (Get Call Center Room: visitor token + agentId, looked up)',
			'By room id (rid decides, one read): a VoIP room, with its call fields',
			'The lookup path, as the agent serving the room (kim.jane)',
			'Room creation: a caller with no open room gets one, served by kim.jane',
			'A bad request (neither rid nor agentId)',
			'No credentials: the server refuses before the app runs',
			'/voiproom in the documented room, as the manager sam.wise (POST /api/v1/commands.run)',
			'The call ends: POST voip/room.close closes the documented room, with a comment',
		]);

		// 1. the documented call, pasted into a shell: the documented body (but servedBy.ts)
		expect(hints[0].expect).toMatch(/^200, the documented body: /);
		expect(JSON.parse(await sh(hints[0].command))).toEqual(documentedResponseAsServed());
		// 6. no credentials
		expect(await sh(hints[5].command)).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*\r\n\r\nUnauthorized$/);
		// 5. a bad request
		expect((await sh(hints[4].command)).split('\r\n\r\n')[1]).toBe(
			JSON.stringify({
				success: false,
				error: "must have required property 'agentId' [invalid-params]",
				errorType: 'invalid-params',
			}),
		);
		// 7. the slash command, in English for the manager
		const command = JSON.parse(await sh(hints[6].command)) as { messages: Array<{ msg: string }>; success: boolean };
		expect([command.success, command.messages.length, command.messages[0].msg.split('\n')[0]]).toEqual([
			true,
			1,
			'Livechat room of Mary',
		]);
		// 8. the close, last: 200, then room-closed; voip/room by rid shows it closed
		expect((await sh(hints[7].command)).split('\r\n\r\n')[1]).toBe(JSON.stringify({ rid: DEMO_ROOM, success: true }));
		expect((await sh(hints[7].command)).split('\r\n\r\n')[1]).toBe(JSON.stringify({ success: false, error: 'room-closed' }));
		const closed = JSON.parse(
			await sh(
				`curl -s '${url}/api/apps/public/${APP_ID}/voip/room?token=${DEMO_TOKEN}&rid=${DEMO_ROOM}' -H 'X-User-Id: ${DEMO_CALLER.id}' -H 'X-Auth-Token: ${DEMO_CALLER.token}'`,
			),
		) as { room: Record<string, unknown> };
		expect(['open' in closed.room, closed.room.closer]).toEqual([false, 'visitor']);

		const info = JSON.parse((await request(`${url}/api/info`)).text) as {
			engine: { runtimePid: number };
			settings: Record<string, unknown>;
		};
		expect(info.settings.requests_per_minute).toBe(5);
		const pid = info.engine.runtimePid;
		expect(typeof pid).toBe('number');

		groupKill(cli, 'SIGINT');
		expect(await cli.exited).toEqual({ code: 0, signal: null });
		expect(cli.stdout()).toContain('SIGINT: stopping…\nstopped: the app is removed and its runtime has exited\n');
		expect(await waitGone(pid)).toBe(true);
		expect(cli.stderr()).toBe('');
	}, 120000);

	it('--engine 1.42 --no-rate-limit --data example-data.json: hints from those documents; SIGTERM stops it', async () => {
		const cli = startCli(TSX, [MAIN, '--engine', '1.42', '--no-rate-limit', '--data', 'test/server/example-data.json', '--port', '0']);
		await waitFor(cli, /Stop: Ctrl-C\n/);
		const out = cli.stdout();
		expect(out.split('\n')[0]).toBe(
			`VoipRoom on a local Rocket.Chat stand-in: Apps-Engine 1.42.1, in-process (vm2), data from ${path.join(ROOT, 'test', 'server', 'example-data.json')}`,
		);
		expect(out).toContain('@rocket.chat/apps-engine 1.42.1 (Rocket.Chat 6.7–6.9)');
		expect(out).toContain('Rate limit: off (--no-rate-limit: the setting requests_per_minute is 0).');
		const hints = printedHints(out);
		expect(hints.map((hint) => hint.title)).toEqual([
			'By room id: Acm3L1v3ch4tR00m1',
			'The lookup path: the open room of visitor guest-501 served by alice.agent',
			'Room creation: visitor guest-502 has no open room',
			'A bad request (neither rid nor agentId)',
			'No credentials',
			'The call ends: POST voip/room.close closes room Acm3L1v3ch4tR00m1',
		]);
		const [head, body] = (await sh(hints[1].command)).split('\r\n\r\n');
		const answer = JSON.parse(body) as { room: Record<string, unknown>; newRoom: boolean };
		expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
		expect([answer.room._id, answer.room.customFields, answer.room.servedBy, answer.newRoom]).toEqual([
			'Acm3L1v3ch4tR00m1',
			{ crmAccount: 'ACME-0042' },
			{ _id: 'aL1c3Ag3ntAcme001', username: 'alice.agent' },
			false,
		]);
		// the --data documents can be closed
		const [closeHead, closeBody] = (await sh(hints[5].command)).split('\r\n\r\n');
		expect([closeHead.split('\r\n')[0], closeBody]).toEqual([
			'HTTP/1.1 200 OK',
			JSON.stringify({ rid: 'Acm3L1v3ch4tR00m1', success: true }),
		]);
		expect(out).not.toContain('GET /api/apps');
		await waitFor(
			cli,
			/GET \/api\/apps\/public\/[^ ]+\/voip\/room\?token=acme-caller-15551234&agentId=aL1c3Ag3ntAcme001 → 200 \(\d+ ms, alice\.agent\)/,
		);

		cli.child.kill('SIGTERM');
		expect(await cli.exited).toEqual({ code: 0, signal: null });
		expect(cli.stdout()).toContain('SIGTERM: stopping…\nstopped: the app is removed and its runtime has exited\n');
	}, 120000);

	it.each([
		['1.59', 'Apps-Engine 1.59.0, Deno 1.46.3 runtime', 'Rocket.Chat 8.0–8.1', '1.46.3'],
		['1.53', 'Apps-Engine 1.53.1, Deno 1.46.3 runtime', 'Rocket.Chat 7.8', '1.46.3'],
	])(
		'--engine %s: serves the app on that engine, and /api/info says which',
		async (engine, title, behavesAs, deno) => {
			const cli = startCli(TSX, [MAIN, '--engine', engine, '--port', '0', '--quiet', '--no-rate-limit']);
			await waitFor(cli, /Stop: Ctrl-C\n/);
			const out = cli.stdout();
			expect(out.split('\n')[0]).toBe(`VoipRoom on a local Rocket.Chat stand-in: ${title}, demo data`);
			const url = (/ready in .*(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out) || [])[1];
			const info = JSON.parse((await request(`${url}/api/info`)).text) as {
				behavesAs: string;
				engine: { name: string; version: string; runtime: string; runtimeVersion: string };
				app: { status: string };
			};
			expect([info.behavesAs, info.engine.name, info.engine.runtime, info.engine.runtimeVersion]).toEqual([
				behavesAs,
				engine,
				'deno',
				deno,
			]);
			// the engine reports the app enabled: 1.53 says auto_enabled, later engines manually_enabled
			expect(['auto_enabled', 'manually_enabled']).toContain(info.app.status);
			// the first printed command is the documented call (curl without -i): its output is the body
			const documented = JSON.parse(await sh(printedHints(out)[0].command)) as { room: { _id: string }; success: boolean };
			expect([documented.room._id, documented.success]).toEqual([documentedResponseAsServed().room._id, true]);
			cli.child.kill('SIGTERM');
			expect(await cli.exited).toEqual({ code: 0, signal: null });
		},
		120000,
	);

	it('a port in use: one line naming the port on stderr, exit code 1 (npx tsx test/server/main.ts --port <busy>)', async () => {
		const busy = net.createServer();
		await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
		const port = (busy.address() as net.AddressInfo).port;
		try {
			const cli = startCli('npx', ['tsx', MAIN, '--port', String(port)]);
			expect(await cli.exited).toEqual({ code: 1, signal: null });
			expect(cli.stderr()).toBe(
				`npm start: port ${port} is in use (127.0.0.1:${port}): stop what listens there, or pick another port with --port or PORT\n`,
			);
			expect(cli.stdout()).not.toContain('package');
		} finally {
			await new Promise((resolve) => busy.close(resolve));
		}
	});

	it.each([
		[['--engine', '2.0'], 2, 'npm start: --engine: one of 1.42, 1.53, 1.59, 1.62, not "2.0"\n'],
		[['--port', 'http'], 2, 'npm start: --port: not a port number: "http"\n'],
		[['--frobnicate'], 2, 'npm start: unknown option "--frobnicate"\n'],
		[['--data', '/nonexistent/rc.json'], 1, 'npm start: --data /nonexistent/rc.json: cannot read it (ENOENT)\n'],
	])('%j: exit %d with a one-line reason', async (args, code, reason) => {
		const cli = startCli(TSX, [MAIN, ...args]);
		expect(await cli.exited).toEqual({ code, signal: null });
		const usage =
			code === 2
				? 'usage: npm start -- [--engine 1.62|1.59|1.53|1.42] [--port N] [--host ADDRESS] [--no-rate-limit] [--data FILE] [--quiet] [--proxy] [--proxy-port N]\n'
				: '';
		expect(cli.stderr()).toBe(`${reason}${usage}`);
	});
});

describe('parseCli', () => {
	it('defaults: engine 1.62, 127.0.0.1:3000, rate limit on, demo data, request log', () => {
		expect(parseCli([], {})).toEqual({ engine: '1.62', port: 3000, hostname: '127.0.0.1', rateLimit: true, quiet: false });
	});

	it('PORT, overridden by --port; --opt=value; engine versions in full', () => {
		expect(parseCli([], { PORT: '8080' }).port).toBe(8080);
		expect(parseCli(['--port', '0'], { PORT: '8080' }).port).toBe(0);
		expect(parseCli(['--engine=1.42.1', '--host', '0.0.0.0', '--no-rate-limit', '--quiet', '--data', 'x.json'], {})).toEqual({
			engine: '1.42',
			port: 3000,
			hostname: '0.0.0.0',
			rateLimit: false,
			quiet: true,
			dataFile: path.resolve('x.json'),
		});
		expect(parseCli(['--engine', '1.62.0'], {}).engine).toBe('1.62');
		expect(parseCli(['--engine', '1.59'], {}).engine).toBe('1.59');
		expect(parseCli(['--engine=1.53.1'], {}).engine).toBe('1.53');
	});

	it.each([
		[['--port'], '--port needs a value'],
		[['--port', '70000'], '--port: not a port number: "70000"'],
		[['--data', '--quiet'], '--data needs a value'],
	])('%j: %s', (args, message) => {
		expect(() => parseCli(args, {})).toThrow(message);
	});

	it('PORT that is not a number', () => {
		expect(() => parseCli([], { PORT: 'abc' })).toThrow('PORT: not a port number: "abc"');
	});
});
