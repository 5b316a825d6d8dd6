/**
 * `npm run repro:wedge` (tools/reproWedge.ts) against the stand-in: its arguments, its refusals before it
 * sends anything, a measured run through --url (the path a real workspace takes), the CLI on its default target
 * (the stand-in started in-process) with --fast, and an engine without the defect (exit 3).
 */
import { spawnSync } from 'child_process';
import * as net from 'net';
import * as path from 'path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';

import { ENGINE_TABLE, isDenoEngine } from '../engine/engines';
import { ENGINES } from '../engine/support';
import type { RunningServer } from '../server';
import { DEMO, startServer } from '../server';
import type { ReproOptions } from '../../tools/reproWedge';
import { FAST_TIMINGS, parseReproArgs, ReproError, runRepro, USAGE, UsageError } from '../../tools/reproWedge';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_ID = '2c6d81eb-0039-41a3-9399-92fd3df46d00';
const DEFAULTS: ReproOptions = { engine: '1.62', fast: false, appId: APP_ID, path: 'voip/room', intervalMs: 1000, maxWaitS: 180 };
// the newest Deno engine: its liveness check restarts a wedged runtime (1.53 never does: test/server/wedge.test.ts)
const DENO_ENGINE = [...ENGINES].reverse().find((engine) => isDenoEngine(engine));
const VM_ENGINE = ENGINES.find((engine) => !isDenoEngine(engine));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
	const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'tools/reproWedge.ts', ...args], {
		cwd: ROOT,
		encoding: 'utf8',
		timeout: 120000,
	});
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('parseReproArgs', () => {
	it('defaults: the stand-in on 1.62, this app, voip/room, a probe a second, 180 s at most', () => {
		expect(parseReproArgs([])).toEqual(DEFAULTS);
	});

	it('a workspace: --url (trailing slash dropped), --user-id, --token; and the other options', () => {
		expect(
			parseReproArgs([
				'--url',
				'https://chat.example.org/',
				'--user-id=u1',
				'--token',
				't1',
				'--path',
				'/other/path',
				'--interval-ms',
				'250',
				'--max-wait-s=90',
			]),
		).toEqual({
			...DEFAULTS,
			url: 'https://chat.example.org',
			userId: 'u1',
			token: 't1',
			path: 'other/path',
			intervalMs: 250,
			maxWaitS: 90,
		});
		expect(parseReproArgs(['--engine', '1.59.0', '--fast', '--app-id', 'abc-123'])).toEqual({
			...DEFAULTS,
			engine: '1.59',
			fast: true,
			appId: 'abc-123',
		});
	});

	it.each([
		[['--url', 'https://x.org'], '--url needs --user-id and --token (any user of that workspace: a personal access token will do)'],
		[['--url', 'ftp://x.org', '--user-id', 'u', '--token', 't'], '--url: http or https only, not "ftp:"'],
		[['--url', 'chat.example.org'], '--url: not a URL: "chat.example.org" (e.g. https://chat.example.org)'],
		[['--url', 'https://x.org/?a=1'], '--url: the server\'s base URL, without ?query or #fragment: "https://x.org/?a=1"'],
		[['--url'], '--url needs a value'],
		[['--user-id', 'u'], '--user-id and --token go together (X-User-Id and X-Auth-Token of one user)'],
		[['--engine', '9.9'], '--engine: one of 1.42, 1.53, 1.59, 1.62, not "9.9"'],
		[
			['--url', 'https://x.org', '--user-id', 'u', '--token', 't', '--engine', '1.62'],
			'--engine picks the engine of the local stand-in; a --url server runs its own',
		],
		[
			['--url', 'https://x.org', '--user-id', 'u', '--token', 't', '--fast'],
			'--fast sets the local stand-in\u2019s engine timings; a --url server keeps its own',
		],
		[['--fast=yes'], '--fast takes no value'],
		[['--interval-ms', '50'], '--interval-ms: a whole number from 100 to 60000, not "50"'],
		[['--max-wait-s', '1.5'], '--max-wait-s: a whole number from 1 to 3600, not "1.5"'],
		[['--app-id', 'a/b'], `--app-id: letters, digits and dashes (an app id such as ${APP_ID}), not "a/b"`],
		[['--path', 'voip/room?x=1'], '--path: an endpoint path of the app such as voip/room (no query, no spaces), not "voip/room?x=1"'],
		[['--bogus'], 'unknown option "--bogus"'],
		[['extra'], 'unexpected argument "extra"'],
	])('%j: %s', (args, message) => {
		expect(() => parseReproArgs(args)).toThrow(new UsageError(message));
	});
});

describe('the CLI', () => {
	it('a bad argument: exit 2, the reason and the usage on stderr, nothing sent', () => {
		expect(cli(['--engine', '9.9'])).toEqual({
			status: 2,
			stdout: '',
			stderr: `repro:wedge: --engine: one of 1.42, 1.53, 1.59, 1.62, not "9.9"\n${USAGE}\n`,
		});
	});
});

if (DENO_ENGINE) {
	describe(`against the stand-in on engine ${DENO_ENGINE} (scaled-down engine timings)`, () => {
		let server: RunningServer;
		let errors: ReturnType<typeof jest.spyOn>;
		const options = (extra: string[] = []): ReproOptions =>
			parseReproArgs([
				'--url',
				server.url,
				'--user-id',
				DEMO.callerId,
				'--token',
				DEMO.callerToken,
				'--interval-ms',
				'500',
				...extra,
			]);

		beforeAll(async () => {
			// the engine console.errors every request that times out
			errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
			server = await startServer({ engine: DENO_ENGINE, port: 0, ...FAST_TIMINGS });
		});

		afterAll(async () => {
			errors.mockRestore();
			if (server) {
				await server.stop();
			}
		});

		it.each([
			[
				'a wrong token',
				(): ReproOptions => parseReproArgs(['--url', server.url, '--user-id', DEMO.callerId, '--token', 'wrong']),
				(endpoint: string) => `${endpoint} refused the credentials (401 Unauthorized): check --user-id and --token`,
			],
			[
				'an app not installed',
				(): ReproOptions => options(['--app-id', 'no-such-app']),
				(endpoint: string) => `no endpoint at ${endpoint} (404): is the app installed and enabled? (--app-id, --path)`,
			],
		])('refuses before sending anything: %s', async (_case, given, message) => {
			const parsed = given();
			const lines: string[] = [];
			await expect(runRepro(parsed, (line) => lines.push(line))).rejects.toEqual(
				new ReproError(message(`${server.url}/api/apps/public/${parsed.appId}/voip/room`)),
			);
			expect(lines).toEqual([`target: ${server.url} (its own engine and timings)`]);
		});

		it('refuses an address nothing listens on', async () => {
			const closed = net.createServer();
			await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
			const port = (closed.address() as net.AddressInfo).port;
			await new Promise((resolve) => closed.close(resolve));
			const parsed = parseReproArgs(['--url', `http://127.0.0.1:${port}`, '--user-id', 'u', '--token', 't']);
			await expect(runRepro(parsed, () => undefined)).rejects.toThrow(
				new RegExp(
					`^cannot reach http://127\\.0\\.0\\.1:${port}/api/apps/public/${APP_ID}/voip/room: fetch failed: .*ECONNREFUSED`,
				),
			);
		});

		it('--url: the POST wedges the app; the probes fail until the engine restarts it; the outage is printed; exit code 0', async () => {
			const lines: string[] = [];
			const report = await runRepro(options(), (line) => lines.push(line));
			const endpoint = `${server.url}/api/apps/public/${APP_ID}/voip/room`;
			expect(report).toEqual({
				endpoint,
				request: { status: 500, text: expect.stringMatching(/for method "api:voip\/room:post" timed out/), ms: expect.any(Number) },
				affected: true,
				outageMs: expect.any(Number),
				failedProbes: expect.any(Number),
				exitCode: 0,
			});
			expect(report.outageMs).toBeGreaterThanOrEqual(FAST_TIMINGS.runtimeTimeoutMs);
			expect(report.failedProbes).toBeGreaterThanOrEqual(1);
			expect(lines.slice(0, 3)).toEqual([
				`target: ${server.url} (its own engine and timings)`,
				expect.stringMatching(new RegExp(`^the app answers: GET ${endpoint} → 400 in \\d+ ms$`)),
				'sending one POST to it, Content-Type: application/json, body {"__proto__":{}}; then a GET every 0.5 s',
			]);
			expect(lines).toContainEqual(
				expect.stringMatching(
					/^\+\d+\.\d s {2}the POST → 500 after \d+\.\d s: \[[-0-9a-f]+\] Request "[a-z0-9]+" for method "api:voip\/room:post" timed out/,
				),
			);
			expect(lines).toContainEqual(
				expect.stringMatching(
					/^\+\d+\.\d s {2}GET → 500 after \d+\.\d s: \[[-0-9a-f]+\] Request "[a-z0-9]+" for method "api:voip\/room:get" timed out/,
				),
			);
			expect(lines[lines.length - 1]).toBe(
				`DOWN for ${((report.outageMs as number) / 1000).toFixed(1)} s: the app did not answer from the POST (+0.0 s) to the probe sent at +${((report.outageMs as number) / 1000).toFixed(1)} s; ` +
					`${report.failedProbes} of ${report.failedProbes} probes before it failed or were still waiting`,
			);
		});
	});

	it(`the CLI on its default target, the stand-in it starts (engine ${ENGINE_TABLE['1.62'].version}), with --fast: exit 0 and the outage`, () => {
		const run = cli(['--fast', '--interval-ms', '500']);
		const lines = run.stdout.trim().split('\n');
		expect([run.status, lines[0]]).toEqual([
			0,
			'target: the local stand-in, engine 1.62.0; scaled-down timings: request timeout 3.0 s, a ping every 1.0 s (0.5 s to answer), restart after 4 missed',
		]);
		expect(lines[lines.length - 1]).toMatch(
			/^DOWN for \d+\.\d s: the app did not answer from the POST \(\+0\.0 s\) to the probe sent at \+\d+\.\d s; \d+ of \d+ probes before it failed or were still waiting$/,
		);
	});
}

if (VM_ENGINE) {
	it(`an engine without the defect (${VM_ENGINE}, in-process): the app keeps answering, NOT AFFECTED, exit code 3`, async () => {
		const lines: string[] = [];
		const report = await runRepro(parseReproArgs(['--engine', VM_ENGINE, '--fast', '--interval-ms', '200']), (line) =>
			lines.push(line),
		);
		expect([report.affected, report.exitCode, report.failedProbes, report.request && report.request.status]).toEqual([
			false,
			3,
			0,
			500,
		]);
		expect(lines[0]).toBe(
			`target: the local stand-in, engine ${ENGINE_TABLE[VM_ENGINE].version}; apps run in-process (vm2): no runtime to wedge`,
		);
		expect(lines[lines.length - 1]).toMatch(/^NOT AFFECTED: the app answered the first probe \(\+\d+\.\d s\); the POST got 500$/);
	});
}
