/**
 * The HTTP half of the bench: autocannon over loopback against the app's `rid` path and the baseline's one-read
 * endpoint, served by the local server of test/server (`startServer`, with the baseline installed next to the app)
 * or, where that server cannot serve a second app, by the bench's own minimal front (front.ts). Bounded in time:
 * alternating slices (A B B A …) of a few seconds per endpoint, after a warm-up of each (the server and its Deno
 * processes are fresh: the first seconds under load measure JIT compilation, not the app).
 */
import * as fs from 'fs';
import * as path from 'path';

import type { EngineName, Host } from '../engine/host';
import { SEED } from '../engine/host';
import { BASELINE_ENDPOINTS, writeBaselineZip } from './baselineApp';
import { startBenchHost } from './engineBench';
import { startFront } from './front';
import type { Summary } from './stats';
import { summarize } from './stats';

export interface HttpOptions {
	engine: EngineName;
	/** seconds per endpoint, split into `slices` (default 12) */
	seconds?: number;
	/** alternating slices per endpoint (default 4: A B B A A B B A) */
	slices?: number;
	/** concurrent connections (default 8) */
	connections?: number;
	/** seconds of unmeasured load per endpoint first (default 4: a fresh Deno process JIT-compiles for a few seconds) */
	warmupSeconds?: number;
	/** prefer the bench's own front even where test/server exists */
	front?: boolean;
	/** the app's zip bundled into one file (bundle.ts); served by the bench front only */
	bundle?: boolean;
	progress?: (line: string) => void;
}

export interface HttpSlice {
	requestsPerSecond: number;
	p50: number;
	p99: number;
}

export interface HttpEndpointResult {
	name: 'rid' | 'floor-1';
	label: string;
	/** the URL's path and query */
	path: string;
	requests: number;
	requestsPerSecond: number;
	/** per request, as autocannon measured them (2xx only) */
	latencyMs: Summary;
	non2xx: number;
	errors: number;
	slices: HttpSlice[];
	vsFloor?: { rpsRatio: number; p50Ratio: number; p99Ratio: number };
}

export interface HttpResult {
	/** what served the requests */
	server: string;
	connections: number;
	/** unmeasured seconds per endpoint first */
	warmupSeconds: number;
	slices: number;
	sliceSeconds: number;
	endpoints: HttpEndpointResult[];
}

export type HttpOutcome = HttpResult | { skipped: string };

// --- autocannon 8 (untyped): the part of its API used here

interface AutocannonOptions {
	url: string;
	connections: number;
	duration: number;
	headers: Record<string, string>;
}

interface AutocannonResult {
	duration: number;
	requests: { total: number };
	non2xx: number;
	errors: number;
	timeouts: number;
}

interface AutocannonInstance {
	on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}

type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

async function loadAutocannon(): Promise<Autocannon> {
	const specifier: string = 'autocannon';
	const mod = (await import(specifier)) as { default?: Autocannon };
	return (mod.default || mod) as Autocannon;
}

interface SliceRun {
	result: AutocannonResult;
	latencies: number[];
}

function runSlice(autocannon: Autocannon, options: AutocannonOptions): Promise<SliceRun> {
	return new Promise((resolve, reject) => {
		const latencies: number[] = [];
		const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve({ result, latencies })));
		instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
			if (statusCode >= 200 && statusCode < 300) {
				latencies.push(responseTimeMs);
			}
		});
	});
}

// --- what serves the endpoints

interface Served {
	server: string;
	/** full URLs of the two endpoints */
	urls: Record<HttpEndpointResult['name'], string>;
	headers: Record<string, string>;
	stop(): Promise<void>;
}

/** The part of test/server's API used here (it is another engineer's module: loaded only when present). */
interface LocalServer {
	url: string;
	appId: string;
	users: { agent: { id: string; token: string } };
	host: Host;
	stop(): Promise<void>;
}
type StartServer = (options: { engine?: EngineName; port?: number; rateLimit?: boolean }) => Promise<LocalServer>;

const SERVER_DIR = path.join(__dirname, '..', 'server');
const RID_QUERY = `token=${encodeURIComponent(SEED.visitorToken)}&rid=${encodeURIComponent(SEED.roomId)}`;

function endpointUrls(base: string, appId: string, baselineId: string): Served['urls'] {
	return {
		rid: `${base}/api/apps/public/${appId}/voip/room?${RID_QUERY}`,
		'floor-1': `${base}/api/apps/public/${baselineId}/${BASELINE_ENDPOINTS.room}?${RID_QUERY}`,
	};
}

async function answers200(url: string, headers: Record<string, string>): Promise<string | undefined> {
	const res = await fetch(url, { headers });
	const text = await res.text();
	return res.status === 200 ? undefined : `${res.status} ${text.slice(0, 200)}`;
}

/** test/server with the baseline installed into its host; undefined (and why) where that does not work. */
async function viaLocalServer(engine: EngineName, progress: (line: string) => void): Promise<Served | string> {
	if (!fs.existsSync(path.join(SERVER_DIR, 'index.ts'))) {
		return 'test/server/index.ts does not exist';
	}
	const specifier: string = SERVER_DIR;
	const mod = (await import(specifier)) as { startServer?: StartServer };
	if (typeof mod.startServer !== 'function') {
		return 'test/server exports no startServer';
	}
	const server = await mod.startServer({ engine, port: 0, rateLimit: false });
	try {
		if (typeof server.host.installExtra !== 'function') {
			throw new Error('its host has no installExtra');
		}
		const baselineId = await server.host.installExtra(await writeBaselineZip());
		const headers = { 'x-user-id': server.users.agent.id, 'x-auth-token': server.users.agent.token };
		const base = server.url.replace(/\/$/, '');
		const urls = endpointUrls(base, server.appId, baselineId);
		for (const url of Object.values(urls)) {
			const problem = await answers200(url, headers);
			if (problem) {
				throw new Error(`GET ${url.replace(base, '')} answered ${problem}`);
			}
		}
		progress('  HTTP: test/server (startServer), the baseline installed next to the app');
		return { server: 'test/server startServer(), baseline installed into its host', urls, headers, stop: () => server.stop() };
	} catch (e) {
		await server.stop();
		return `test/server cannot serve the baseline app: ${e instanceof Error ? e.message : String(e)}`;
	}
}

/** The bench's own front over a bench host (both apps). */
async function viaFront(engine: EngineName, bundle: boolean): Promise<Served> {
	const { host, appIds } = await startBenchHost(engine, { bundle });
	try {
		const token = 'bench-auth-token';
		host.db.tokens = { ...(host.db.tokens || {}), [SEED.callerId]: token };
		const front = await startFront(host);
		return {
			server: 'the bench front (test/bench/front.ts) over the test host',
			urls: endpointUrls(front.url, appIds.voiproom, appIds.baseline),
			headers: { 'x-user-id': SEED.callerId, 'x-auth-token': token },
			stop: async () => {
				await front.stop();
				await host.stop();
			},
		};
	} catch (e) {
		await host.stop();
		throw e;
	}
}

const LABELS: Record<HttpEndpointResult['name'], string> = { rid: 'rid path (voip/room)', 'floor-1': 'baseline: one read' };

export async function runHttpBench(options: HttpOptions): Promise<HttpResult> {
	const progress = options.progress || ((): void => undefined);
	const slices = Math.max(1, options.slices ?? 4);
	const sliceSeconds = Math.max(1, Math.round((options.seconds ?? 12) / slices));
	const connections = Math.max(1, options.connections ?? 8);
	const warmupSeconds = Math.max(0, options.warmupSeconds ?? 4);
	const autocannon = await loadAutocannon();
	let served: Served | string = options.front
		? 'the bench front was asked for'
		: options.bundle
			? 'test/server installs the zip as packaged'
			: await viaLocalServer(options.engine, progress);
	let server: string;
	if (typeof served === 'string') {
		const why = served;
		served = await viaFront(options.engine, !!options.bundle);
		server = `${served.server} (${why})`;
		progress(`  HTTP: ${server}`);
	} else {
		server = served.server;
	}
	const target = served;
	try {
		const names: Array<HttpEndpointResult['name']> = ['rid', 'floor-1'];
		const runs = new Map<HttpEndpointResult['name'], SliceRun[]>(names.map((name) => [name, []]));
		const load = (name: HttpEndpointResult['name'], duration: number): Promise<SliceRun> =>
			runSlice(autocannon, { url: target.urls[name], connections, duration, headers: target.headers });
		if (warmupSeconds > 0) {
			for (const name of names) {
				await load(name, warmupSeconds);
			}
		}
		for (let s = 0; s < slices; s++) {
			for (const name of s % 2 === 0 ? names : names.slice().reverse()) {
				progress(`  HTTP: ${name}, slice ${s + 1}/${slices} (${sliceSeconds} s, ${connections} connections)`);
				(runs.get(name) as SliceRun[]).push(await load(name, sliceSeconds));
			}
		}
		const endpoints = names.map((name): HttpEndpointResult => {
			const mine = runs.get(name) as SliceRun[];
			const latencies = mine.reduce<number[]>((all, run) => all.concat(run.latencies), []);
			const requests = mine.reduce((sum, run) => sum + run.result.requests.total, 0);
			const seconds = mine.reduce((sum, run) => sum + run.result.duration, 0);
			return {
				name,
				label: LABELS[name],
				path: new URL(target.urls[name]).pathname,
				requests,
				requestsPerSecond: seconds > 0 ? requests / seconds : NaN,
				latencyMs: summarize(latencies),
				non2xx: mine.reduce((sum, run) => sum + run.result.non2xx, 0),
				errors: mine.reduce((sum, run) => sum + run.result.errors + run.result.timeouts, 0),
				slices: mine.map((run) => {
					const summary = summarize(run.latencies);
					return { requestsPerSecond: run.result.requests.total / run.result.duration, p50: summary.p50, p99: summary.p99 };
				}),
			};
		});
		const [rid, floor] = endpoints;
		rid.vsFloor = {
			rpsRatio: rid.requestsPerSecond / floor.requestsPerSecond,
			p50Ratio: rid.latencyMs.p50 / floor.latencyMs.p50,
			p99Ratio: rid.latencyMs.p99 / floor.latencyMs.p99,
		};
		return { server, connections, warmupSeconds, slices, sliceSeconds, endpoints };
	} finally {
		await target.stop();
	}
}
