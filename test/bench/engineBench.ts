/**
 * The in-engine half of the bench: the packaged app and the baseline app (baselineApp.ts) installed side by side in
 * one real AppManager (the test host), called the way the server's HTTP layer calls them, in interleaved rounds.
 */
import type { EngineName, Host } from '../engine/host';
import { documentedRoom, SEED, seedData, startHost } from '../engine/host';
import { ensurePackaged } from '../../tools/package';
import { BASELINE_ENDPOINTS, writeBaselineZip } from './baselineApp';
import { bundledCopy } from './bundle';
import type { Spread, Summary } from './stats';
import { median, round, spread, summarize } from './stats';
import { engineRuntime, processRss, settleHeap } from './system';

export type PathName =
	| 'rid'
	| 'lookup'
	| 'create'
	| 'close'
	| 'error-params'
	| 'error-token'
	| 'floor-0'
	| 'floor-1'
	| 'floor-1-rooms'
	| 'floor-2'
	| 'floor-close'
	| 'floor-close-claimed';

export interface PathSpec {
	readonly name: PathName;
	readonly label: string;
	readonly app: 'voiproom' | 'baseline';
	readonly endpoint: string;
	/** default 'get' */
	readonly method?: 'get' | 'post';
	readonly query: Readonly<Record<string, string>>;
	/** the body (POST) */
	readonly content?: unknown;
	/** the status every call must answer */
	readonly status: number;
	/** engine reads one call of this path must cost */
	readonly reads: number;
	/** the baseline path this one is compared with */
	readonly floor?: PathName;
	/**
	 * runs on the host before each call, unmeasured (the creation path closes the room the last call made; a close
	 * needs its room open again)
	 */
	readonly before?: (host: Host) => void;
}

/** Closes (as a document edit, not through the app) every open room of a visitor: the next lookup creates one. */
function closeOpenRoomsOf(host: Host, token: string): void {
	host.db.rooms = host.db.rooms.filter((room) => !(room.t === 'l' && room.open === true && room.v && room.v.token === token));
}

const APP_ENDPOINT = 'voip/room';
const CLOSE_ENDPOINT = 'voip/room.close';
const CLOSE_BODY = { rid: SEED.roomId, token: SEED.visitorToken, options: { comment: 'Call ended: caller hung up' } };

/** The documented room open again, as seeded, without the closing message of a previous close. */
function reopenDocumentedRoom(host: Host): void {
	const index = host.db.rooms.findIndex((room) => room._id === SEED.roomId);
	host.db.rooms[index] = documentedRoom();
	host.db.messages = [];
}

/** A close of the documented room (the app's and the baseline's), which must be open before each call. */
const CLOSE_CALL = { method: 'post', query: {}, content: CLOSE_BODY, before: reopenDocumentedRoom, status: 200, reads: 1 } as const;

/** Every path the bench measures: the app's first, then the baselines. */
export const PATHS: ReadonlyArray<PathSpec> = [
	{
		name: 'rid',
		label: 'rid path (200)',
		app: 'voiproom',
		endpoint: APP_ENDPOINT,
		query: { token: SEED.visitorToken, rid: SEED.roomId },
		status: 200,
		reads: 1,
		floor: 'floor-1',
	},
	{
		name: 'lookup',
		label: 'lookup path (200)',
		app: 'voiproom',
		endpoint: APP_ENDPOINT,
		query: { token: SEED.visitorToken, agentId: SEED.agentId },
		status: 200,
		reads: 1,
		floor: 'floor-1-rooms',
	},
	{
		name: 'create',
		label: 'creation (200, newRoom)',
		app: 'voiproom',
		endpoint: APP_ENDPOINT,
		query: { token: SEED.lonelyVisitorToken, agentId: SEED.agentId },
		status: 200,
		// rooms by token, the visitor, the claims (docs/cluster.md), rooms again once the claim is
		// the only one, the agent, the read-back
		reads: 6,
		before: (host) => closeOpenRoomsOf(host, SEED.lonelyVisitorToken),
	},
	{
		name: 'close',
		label: 'close (200)',
		app: 'voiproom',
		endpoint: CLOSE_ENDPOINT,
		...CLOSE_CALL,
		// the room, the room's close claims, the room again under the claim (issue 20: one close across instances)
		reads: 3,
		floor: 'floor-close',
	},
	{
		name: 'error-params',
		label: 'error: invalid-params (400)',
		app: 'voiproom',
		endpoint: APP_ENDPOINT,
		query: { token: SEED.visitorToken },
		status: 400,
		reads: 0,
		floor: 'floor-0',
	},
	{
		name: 'error-token',
		label: 'error: rid, unknown token (400)',
		app: 'voiproom',
		endpoint: APP_ENDPOINT,
		query: { token: 'no-such-visitor-token', rid: SEED.roomId },
		status: 400,
		reads: 2,
		floor: 'floor-2',
	},
	{
		name: 'floor-0',
		label: 'baseline: no read',
		app: 'baseline',
		endpoint: BASELINE_ENDPOINTS.none,
		query: { token: SEED.visitorToken, rid: SEED.roomId },
		status: 200,
		reads: 0,
	},
	{
		name: 'floor-1',
		label: 'baseline: one read',
		app: 'baseline',
		endpoint: BASELINE_ENDPOINTS.room,
		query: { token: SEED.visitorToken, rid: SEED.roomId },
		status: 200,
		reads: 1,
	},
	{
		name: 'floor-1-rooms',
		label: 'baseline: one read (rooms by token)',
		app: 'baseline',
		endpoint: BASELINE_ENDPOINTS.rooms,
		query: { token: SEED.visitorToken },
		status: 200,
		reads: 1,
	},
	{
		name: 'floor-2',
		label: 'baseline: two reads',
		app: 'baseline',
		endpoint: BASELINE_ENDPOINTS.lookup,
		query: { token: SEED.visitorToken, agentId: SEED.agentId },
		status: 200,
		reads: 2,
	},
	{
		name: 'floor-close',
		label: 'baseline: read + close',
		app: 'baseline',
		endpoint: BASELINE_ENDPOINTS.close,
		...CLOSE_CALL,
	},
	{
		// the engine calls a close coordinated across instances cannot avoid (issue 20): what the app adds on top
		name: 'floor-close-claimed',
		label: 'baseline: claimed close (6 calls)',
		app: 'baseline',
		endpoint: BASELINE_ENDPOINTS.closeClaimed,
		...CLOSE_CALL,
		reads: 3,
	},
];

export interface EngineBenchOptions {
	engine: EngineName;
	/** measured calls per path (default 3000) */
	callsPerPath?: number;
	/** calls per path in one block of a round (default 100); each round runs one block of every path */
	block?: number;
	/** unmeasured calls per path before the rounds (default 300) */
	warmup?: number;
	/** calls between the two memory readings (default 10000); 0 skips the memory phase */
	memoryCalls?: number;
	/** calls of the same workload before the first memory reading (default 2000, at most memoryCalls) */
	memoryWarmup?: number;
	/** install the app's zip bundled into one file (bundle.ts) instead of as packaged */
	bundle?: boolean;
	/** called with a line of progress now and then */
	progress?: (line: string) => void;
}

export interface FloorComparison {
	floor: PathName;
	p50Ratio: number;
	p95Ratio: number;
	p99Ratio: number;
	/** p50 of the path over p50 of the floor, per round (the two measured in the same round): the spread */
	roundP50Ratio: Spread;
}

export interface PathResult {
	name: PathName;
	label: string;
	app: 'voiproom' | 'baseline';
	endpoint: string;
	status: number;
	calls: number;
	/** milliseconds per call, as the server's HTTP layer waits for the engine */
	latencyMs: Summary;
	/** p50 of each round, milliseconds */
	roundP50Ms: Spread;
	/** sequential calls per second (one caller): calls / time spent in them */
	callsPerSecond: number;
	/** engine reads per call, from the host's bridge counter */
	readsPerCall: number;
	readsByMethod: Record<string, number>;
	expectedReads: number;
	vsFloor?: FloorComparison;
}

export interface MemoryReading {
	/** Node heap used after forced collections (the host process: engine, bridges; on 1.42 the app too) */
	nodeHeapUsed: number;
	nodeRss: number;
	/** RSS of the app's Deno subprocess (1.62) */
	appDenoRss?: number;
	/** RSS of the baseline app's Deno subprocess (1.62) */
	baselineDenoRss?: number;
}

export interface MemoryResult {
	/** app calls between the readings: its paths in turn */
	calls: number;
	/** calls of the same workload before the first reading */
	warmup: number;
	gcForced: boolean;
	before: MemoryReading;
	after: MemoryReading;
	/** the Node heap (after forced collections) every fifth of the calls */
	trace: Array<{ calls: number; nodeHeapUsed: number }>;
	/** (after - before) / before of the Node heap */
	heapGrowth: number;
	appDenoRssGrowth?: number;
}

export interface EngineResult {
	engine: EngineName;
	/** the app's zip as packaged, or bundled into one file (--bundle) */
	zip: 'packaged' | 'bundled';
	engineVersion: string;
	runtime: string;
	installMs: { app: number; baseline: number };
	callsPerPath: number;
	block: number;
	rounds: number;
	paths: PathResult[];
	memory?: MemoryResult;
	durationMs: number;
}

interface Target {
	host: Host;
	appIds: Record<PathSpec['app'], string>;
}

function describeBody(content: unknown): string {
	const text = typeof content === 'string' ? content : JSON.stringify(content);
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** One call of a path; its duration in milliseconds. Throws when the answer is not the path's. */
async function callOnce(target: Target, spec: PathSpec): Promise<number> {
	if (spec.before) {
		spec.before(target.host);
	}
	// a fresh body each call, as a server parses one per request
	const content = spec.content !== undefined ? (JSON.parse(JSON.stringify(spec.content)) as unknown) : undefined;
	const started = process.hrtime.bigint();
	const res = await target.host.call(spec.endpoint, {
		method: spec.method || 'get',
		query: { ...spec.query },
		content,
		userId: SEED.callerId,
		appId: target.appIds[spec.app],
	});
	const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
	if (res.status !== spec.status) {
		throw new Error(`bench: ${spec.name} answered ${res.status} (expected ${spec.status}): ${describeBody(res.content)}`);
	}
	return elapsed;
}

interface Accumulator {
	samples: number[];
	roundP50: number[];
	reads: number;
	byMethod: Record<string, number>;
}

function addReads(into: Record<string, number>, from: Record<string, number>): void {
	for (const key of Object.keys(from)) {
		into[key] = (into[key] || 0) + from[key];
	}
}

/**
 * Rounds of one block per path. Each round starts one path further and every other round runs backwards, so that no
 * path always runs first, or always after the same one.
 */
async function measure(
	target: Target,
	callsPerPath: number,
	block: number,
	progress: (line: string) => void,
): Promise<Map<PathName, Accumulator>> {
	const acc = new Map<PathName, Accumulator>(PATHS.map((spec) => [spec.name, { samples: [], roundP50: [], reads: 0, byMethod: {} }]));
	const rounds = Math.ceil(callsPerPath / block);
	let reported = Date.now();
	for (let r = 0; r < rounds; r++) {
		const size = Math.min(block, callsPerPath - r * block);
		for (let i = 0; i < PATHS.length; i++) {
			const spec = PATHS[(r + (r % 2 === 0 ? i : PATHS.length - i)) % PATHS.length];
			const into = acc.get(spec.name) as Accumulator;
			const times: number[] = [];
			target.host.reads.reset();
			for (let c = 0; c < size; c++) {
				times.push(await callOnce(target, spec));
			}
			into.reads += target.host.reads.count();
			addReads(into.byMethod, target.host.reads.byMethod());
			into.samples.push(...times);
			into.roundP50.push(median(times));
		}
		if (Date.now() - reported > 5000 || r === rounds - 1) {
			reported = Date.now();
			progress(`  round ${r + 1}/${rounds}`);
		}
	}
	return acc;
}

function perCall(byMethod: Record<string, number>, calls: number): Record<string, number> {
	const out: Record<string, number> = {};
	for (const key of Object.keys(byMethod).sort()) {
		out[key] = round(byMethod[key] / calls, 3);
	}
	return out;
}

function results(acc: Map<PathName, Accumulator>): PathResult[] {
	const base = PATHS.map((spec): PathResult => {
		const a = acc.get(spec.name) as Accumulator;
		const total = a.samples.reduce((sum, value) => sum + value, 0);
		return {
			name: spec.name,
			label: spec.label,
			app: spec.app,
			endpoint: spec.endpoint,
			status: spec.status,
			calls: a.samples.length,
			latencyMs: summarize(a.samples),
			roundP50Ms: spread(a.roundP50),
			callsPerSecond: total > 0 ? (a.samples.length * 1000) / total : NaN,
			readsPerCall: a.samples.length ? a.reads / a.samples.length : NaN,
			readsByMethod: perCall(a.byMethod, a.samples.length),
			expectedReads: spec.reads,
		};
	});
	for (const result of base) {
		const spec = PATHS.find((s) => s.name === result.name) as PathSpec;
		const floor = spec.floor && base.find((r) => r.name === spec.floor);
		if (!spec.floor || !floor) {
			continue;
		}
		const mine = (acc.get(spec.name) as Accumulator).roundP50;
		const theirs = (acc.get(spec.floor) as Accumulator).roundP50;
		result.vsFloor = {
			floor: spec.floor,
			p50Ratio: result.latencyMs.p50 / floor.latencyMs.p50,
			p95Ratio: result.latencyMs.p95 / floor.latencyMs.p95,
			p99Ratio: result.latencyMs.p99 / floor.latencyMs.p99,
			roundP50Ratio: spread(mine.map((value, i) => value / theirs[i])),
		};
	}
	return base;
}

async function readMemory(target: Target): Promise<{ reading: MemoryReading; gcForced: boolean }> {
	const gcForced = await settleHeap();
	const usage = process.memoryUsage();
	const reading: MemoryReading = { nodeHeapUsed: usage.heapUsed, nodeRss: usage.rss };
	const appPid = target.host.runtimePid(target.appIds.voiproom);
	const baselinePid = target.host.runtimePid(target.appIds.baseline);
	if (appPid !== undefined) {
		reading.appDenoRss = processRss(appPid);
	}
	if (baselinePid !== undefined) {
		reading.baselineDenoRss = processRss(baselinePid);
	}
	return { reading, gcForced };
}

/** The app's paths in turn, `calls` times, between two readings taken after forced collections. */
async function measureMemory(target: Target, calls: number, warmup: number, progress: (line: string) => void): Promise<MemoryResult> {
	const appPaths = PATHS.filter((spec) => spec.app === 'voiproom');
	// the same workload first: what it fills once (caches, JIT code, the runtime's tables) is not growth
	for (let i = 1; i <= warmup; i++) {
		await callOnce(target, appPaths[i % appPaths.length]);
	}
	const before = await readMemory(target);
	const trace: MemoryResult['trace'] = [];
	const every = Math.max(1, Math.round(calls / 5));
	for (let i = 1; i <= calls; i++) {
		await callOnce(target, appPaths[i % appPaths.length]);
		if (i % every === 0 && i < calls) {
			await settleHeap();
			trace.push({ calls: i, nodeHeapUsed: process.memoryUsage().heapUsed });
			progress(`  memory: ${i}/${calls} calls, Node heap ${(trace[trace.length - 1].nodeHeapUsed / 2 ** 20).toFixed(1)} MB`);
		}
	}
	const after = await readMemory(target);
	trace.push({ calls, nodeHeapUsed: after.reading.nodeHeapUsed });
	const result: MemoryResult = {
		calls,
		warmup,
		gcForced: before.gcForced && after.gcForced,
		before: before.reading,
		after: after.reading,
		trace,
		heapGrowth: (after.reading.nodeHeapUsed - before.reading.nodeHeapUsed) / before.reading.nodeHeapUsed,
	};
	if (before.reading.appDenoRss !== undefined && after.reading.appDenoRss !== undefined) {
		result.appDenoRssGrowth = (after.reading.appDenoRss - before.reading.appDenoRss) / before.reading.appDenoRss;
	}
	return result;
}

/** Starts a host with both apps: the packaged app (rate limit off, as the bench is one caller) and the baseline. */
export async function startBenchHost(
	engine: EngineName,
	options: { bundle?: boolean; logRetention?: number } = {},
): Promise<{ host: Host; appIds: Record<PathSpec['app'], string>; installMs: EngineResult['installMs'] }> {
	const packaged = ensurePackaged();
	const zipPath = options.bundle ? await bundledCopy(packaged) : packaged;
	const logRetention = options.logRetention ?? 500;
	const baselineZip = await writeBaselineZip();
	// a server keeps the per-call log entries in Mongo, not on its heap: keep a window, as the memory phase reads the heap
	const host = await startHost({ engine, zipPath, data: seedData(), logRetention });
	try {
		await host.setSetting('requests_per_minute', 0);
		const started = Date.now();
		const baseline = await host.installExtra(baselineZip);
		const installMs = { app: host.timings.installMs, baseline: Date.now() - started };
		return { host, appIds: { voiproom: host.appId, baseline }, installMs };
	} catch (e) {
		await host.stop();
		throw e;
	}
}

/** The whole in-engine measurement on one engine. */
export async function runEngineBench(options: EngineBenchOptions): Promise<EngineResult> {
	const started = Date.now();
	const callsPerPath = Math.max(1, options.callsPerPath ?? 3000);
	const block = Math.max(1, Math.min(options.block ?? 100, callsPerPath));
	const warmup = Math.max(0, options.warmup ?? 300);
	const memoryCalls = Math.max(0, options.memoryCalls ?? 10000);
	const memoryWarmup = Math.max(0, options.memoryWarmup ?? Math.min(2000, memoryCalls));
	const progress = options.progress || ((): void => undefined);
	const { engineVersion, runtime } = await engineRuntime(options.engine);
	progress(`engine ${engineVersion}, ${runtime}: installing the app and the baseline`);
	const { host, appIds, installMs } = await startBenchHost(options.engine, { bundle: options.bundle });
	const target: Target = { host, appIds };
	try {
		progress(`  warm-up: ${warmup} calls per path`);
		for (let i = 0; i < warmup; i++) {
			for (const spec of PATHS) {
				await callOnce(target, spec);
			}
		}
		progress(`  ${PATHS.length} paths × ${callsPerPath} calls, blocks of ${block}, interleaved`);
		const acc = await measure(target, callsPerPath, block, progress);
		let memory: MemoryResult | undefined;
		if (memoryCalls > 0) {
			progress(`  memory: ${memoryWarmup} + ${memoryCalls} calls of the app`);
			memory = await measureMemory(target, memoryCalls, memoryWarmup, progress);
		}
		return {
			engine: options.engine,
			zip: options.bundle ? 'bundled' : 'packaged',
			engineVersion,
			runtime,
			installMs,
			callsPerPath,
			block,
			rounds: Math.ceil(callsPerPath / block),
			paths: results(acc),
			memory,
			durationMs: Date.now() - started,
		};
	} finally {
		await host.stop();
	}
}
