/**
 * `npm run load`: load on the local server (test/server), loopback only, bounded in time. Starts the server with
 * the rate limit off, checks one answer, then runs autocannon against the documented `rid` call
 * (`GET …/voip/room?token=<visitor>&rid=<room>` as the agent kim.jane) and reports requests per second, latency
 * p50/p99, errors, non-2xx answers and bodies that differ from the expected one (every answer is compared).
 *
 *   npm run load -- [--engine 1.42|1.53|1.59|1.62|all] [--duration SECONDS] [--connections N] [--warmup SECONDS] [--json]
 *
 * Defaults: engine 1.62 (Deno 2, as Rocket.Chat 8.4), 20 s, 100 connections, after 3 s of unmeasured warm-up
 * (10 connections). A script, not a test: it exits 1
 * when any request failed, was not 2xx or had another body, 2 on bad options or when it overran its time bound.
 */
import * as fs from 'fs';

import { ALL_ENGINES, parseEngineName } from '../engine/engines';
import type { EngineName } from '../engine/host';
import { SEED } from '../engine/host';
import { startServer } from '../server';
import { readArgs, UsageError, valueOf } from '../../tools/cliArgs';

// --- autocannon 8 ships no types: the part of its API used here

interface AutocannonOptions {
	url: string;
	connections: number;
	duration: number;
	headers: Record<string, string>;
	expectBody: string;
	/** worker threads running the client (off the event loop the server and, on 1.42, the app run on) */
	workers?: number;
}

interface Histogram {
	average: number;
	stddev: number;
	min: number;
	max: number;
	p50: number;
	p99: number;
	total: number;
}

interface AutocannonResult {
	duration: number;
	requests: Histogram;
	latency: Histogram;
	throughput: Histogram;
	errors: number;
	timeouts: number;
	mismatches: number;
	non2xx: number;
	'2xx': number;
}

type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => unknown;

async function loadAutocannon(): Promise<Autocannon> {
	const specifier: string = 'autocannon';
	const mod = (await import(specifier)) as { default?: Autocannon };
	return (mod.default || mod) as Autocannon;
}

// --- options

interface LoadOptions {
	engines: Array<EngineName>;
	duration: number;
	connections: number;
	/** seconds of unmeasured load first (at most 10 connections) */
	warmup: number;
	json: boolean;
}

const USAGE =
	'usage: npm run load -- [--engine 1.42|1.53|1.59|1.62|all] [--duration SECONDS] [--connections N] [--warmup SECONDS] [--json]';

function positiveInteger(flag: string, text: string | undefined, max: number): number {
	if (text === undefined || !/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
		throw new UsageError(`${flag}: a whole number from 1 to ${max}, not ${JSON.stringify(text)}`);
	}
	return Number(text);
}

export function parseLoadOptions(argv: ReadonlyArray<string>): LoadOptions {
	let given: Record<string, string | true>;
	try {
		given = readArgs(argv, { valued: ['--engine', '--duration', '--connections', '--warmup'], switches: ['--json'] });
	} catch (e) {
		// --help: the usage alone; anything else: the reason, then the usage
		throw e instanceof UsageError ? new UsageError(e.message ? `${e.message}\n${USAGE}` : USAGE) : e;
	}
	const options: LoadOptions = { engines: ['1.62'], duration: 20, connections: 100, warmup: 3, json: given.json === true };
	const engine = valueOf(given, 'engine');
	if (engine !== undefined) {
		const one = parseEngineName(engine);
		if (engine !== 'all' && !one) {
			throw new UsageError(`--engine: one of ${ALL_ENGINES.join(', ')} or all, not ${JSON.stringify(engine)}`);
		}
		options.engines = one ? [one] : [...ALL_ENGINES];
	}
	if (given.duration !== undefined) {
		options.duration = positiveInteger('--duration', valueOf(given, 'duration'), 600);
	}
	if (given.connections !== undefined) {
		options.connections = positiveInteger('--connections', valueOf(given, 'connections'), 1000);
	}
	if (given.warmup !== undefined) {
		const text = valueOf(given, 'warmup');
		options.warmup = text === '0' ? 0 : positiveInteger('--warmup', text, 60);
	}
	return options;
}

// --- the run

export interface LoadFigures {
	engine: EngineName;
	connections: number;
	durationSeconds: number;
	requests: number;
	requestsPerSecond: { average: number; stddev: number; min: number; max: number };
	latencyMs: { p50: number; p99: number; average: number; max: number };
	errors: number;
	timeouts: number;
	non2xx: number;
	mismatchedBodies: number;
	/** resident memory after the run (Linux /proc), MB */
	rssMb: { node: number; deno?: number };
	appStatus: string;
	appErrorLogEntries: number;
}

function rssMb(pid: number): number | undefined {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /VmRSS:\s+(\d+) kB/.exec(status);
		return match ? Math.round(Number(match[1]) / 102.4) / 10 : undefined;
	} catch {
		return undefined;
	}
}

async function runOne(autocannon: Autocannon, engine: EngineName, options: LoadOptions): Promise<LoadFigures> {
	const server = await startServer({ engine, port: 0, rateLimit: false });
	try {
		if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(server.url)) {
			throw new Error(`refusing to load anything but loopback: ${server.url}`);
		}
		const url = `${server.appBaseUrl}/voip/room?token=${encodeURIComponent(SEED.visitorToken)}&rid=${encodeURIComponent(SEED.roomId)}`;
		const headers = { 'X-User-Id': server.users.agent.id, 'X-Auth-Token': server.users.agent.token };
		// One call first: it must be the documented room; its exact body is what every answer is compared with.
		const probe = await fetch(url, { headers });
		const expectBody = await probe.text();
		const parsed = JSON.parse(expectBody) as { room?: { _id?: string }; success?: boolean };
		if (probe.status !== 200 || !parsed.room || parsed.room._id !== SEED.roomId || parsed.success !== true) {
			throw new Error(`the documented call does not answer as documented: ${probe.status} ${expectBody.slice(0, 200)}`);
		}
		const run = (connections: number, duration: number): Promise<AutocannonResult> =>
			new Promise<AutocannonResult>((resolve, reject) => {
				autocannon({ url, connections, duration, headers, expectBody, workers: 1 }, (error, res) =>
					error ? reject(error) : resolve(res),
				);
			});
		if (options.warmup > 0) {
			// Not measured: the engine's first calls compile and optimize (vm2 on 1.42 most of all).
			await run(Math.min(10, options.connections), options.warmup);
		}
		const result = await run(options.connections, options.duration);
		const denoPid = server.host.runtimePid();
		const appErrors = server.host
			.logs()
			.reduce((n, record) => n + record.entries.filter((entry) => entry.severity === 'error').length, 0);
		return {
			engine,
			connections: options.connections,
			durationSeconds: result.duration,
			requests: result.requests.total,
			requestsPerSecond: {
				average: result.requests.average,
				stddev: Math.round(result.requests.stddev),
				min: result.requests.min,
				max: result.requests.max,
			},
			latencyMs: { p50: result.latency.p50, p99: result.latency.p99, average: result.latency.average, max: result.latency.max },
			errors: result.errors,
			timeouts: result.timeouts,
			non2xx: result.non2xx,
			mismatchedBodies: result.mismatches,
			rssMb: { node: rssMb(process.pid) || 0, ...(denoPid !== undefined ? { deno: rssMb(denoPid) } : {}) },
			appStatus: await server.host.status(),
			appErrorLogEntries: appErrors,
		};
	} finally {
		await server.stop();
	}
}

function describe(figures: LoadFigures): string {
	const f = figures;
	return [
		`engine ${f.engine}: ${f.connections} connections, ${f.durationSeconds} s, documented rid call, rate limit off`,
		`  requests/s   ${f.requestsPerSecond.average} average (stddev ${f.requestsPerSecond.stddev}, min ${f.requestsPerSecond.min}, max ${f.requestsPerSecond.max}); ${f.requests} requests`,
		`  latency      p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms (average ${f.latencyMs.average} ms, max ${f.latencyMs.max} ms)`,
		`  errors       ${f.errors} (timeouts ${f.timeouts}); non-2xx ${f.non2xx}; bodies other than expected ${f.mismatchedBodies}`,
		`  after        app ${f.appStatus}, ${f.appErrorLogEntries} error entries in its log; RSS node ${f.rssMb.node} MB${f.rssMb.deno !== undefined ? `, deno ${f.rssMb.deno} MB` : ''}`,
	].join('\n');
}

async function main(): Promise<number> {
	let options: LoadOptions;
	try {
		options = parseLoadOptions(process.argv.slice(2));
	} catch (e) {
		if (e instanceof UsageError) {
			console.error(e.message);
			return 2;
		}
		throw e;
	}
	// Bounded in time, whatever happens: start-up and stop take seconds, not minutes.
	const boundMs = options.engines.length * (options.warmup + options.duration + 120) * 1000;
	setTimeout(() => {
		console.error(`load: still running after ${boundMs / 1000} s; giving up`);
		process.exit(2);
	}, boundMs).unref();

	const autocannon = await loadAutocannon();
	const all: Array<LoadFigures> = [];
	for (const engine of options.engines) {
		if (!options.json) {
			console.log(`load: starting the local server on engine ${engine} …`);
		}
		const figures = await runOne(autocannon, engine, options);
		all.push(figures);
		if (!options.json) {
			console.log(describe(figures));
		}
	}
	if (options.json) {
		console.log(JSON.stringify(all, null, 2));
	}
	const failed = all.some((f) => f.errors > 0 || f.timeouts > 0 || f.non2xx > 0 || f.mismatchedBodies > 0 || f.appErrorLogEntries > 0);
	return failed ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(e: unknown) => {
		console.error(e instanceof Error ? e.stack || e.message : String(e));
		process.exit(1);
	},
);
