/**
 * `npm run bench:cluster [-- --engine 1.62|1.42|both] [--rounds N] [--no-write]`: what the cross-instance
 * coordination (lib/coordinate.ts) costs. One cluster of three instances (test/engine/host/cluster.ts) per engine;
 * in interleaved rounds it measures:
 * - a creation (a visitor with no open room, nobody else asking): every request to instance 0 ("1 instance": what a
 *   single-server workspace does; the idle instances cost nothing) against requests spread over the three;
 * - a lookup that finds the room (one read: the floor every creation is compared with);
 * - bursts: k simultaneous lookups for one new visitor (k = 3, a ring-all of three agents; k = 50, the test's
 *   burst), all on instance 0 against spread over the three: the time until the creator is answered and until the
 *   last one is.
 * Results: test/bench/results/cluster-latest.{md,json}. A benchmark, not a test: nothing here fails on a number.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { ApiResult, EngineName, Host } from '../engine/host';
import { SEED } from '../engine/host';
import type { Cluster } from '../engine/host/cluster';
import { startCluster } from '../engine/host/cluster';
import { worldData } from '../robustness/world';
import { ensurePackaged } from '../../tools/package';
import { RESULTS_DIR } from './report';
import type { Summary } from './stats';
import { round, summarize } from './stats';
import type { MachineStamp } from './system';
import { loadAverage, machineStamp } from './system';

interface Options {
	engines: EngineName[];
	rounds: number;
	write: boolean;
}

const INSTANCES = 3;

function parse(argv: ReadonlyArray<string>): Options {
	const options: Options = { engines: ['1.62'], rounds: 20, write: true };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		if (flag === '--engine') {
			const value = argv[++i];
			options.engines = value === 'both' ? ['1.62', '1.42'] : [value as EngineName];
		} else if (flag === '--rounds') {
			options.rounds = Math.max(1, Number(argv[++i]) || 1);
		} else if (flag === '--no-write') {
			options.write = false;
		} else {
			throw new Error(`bench:cluster: unknown option ${flag}`);
		}
	}
	return options;
}

let visitors = 0;

function newVisitor(cluster: Cluster): string {
	visitors += 1;
	const token = `bench-cluster-${visitors}-token`;
	cluster.db.visitors.push({
		_id: `bEnChCl${String(visitors).padStart(10, '0')}`,
		username: `guest-b${visitors}`,
		token,
		status: 'online',
	});
	return token;
}

const lookup = (host: Host, token: string): Promise<ApiResult> =>
	host.call('voip/room', { method: 'get', query: { token, agentId: SEED.agentId }, userId: SEED.callerId });

function expectStatus(res: ApiResult, what: string): void {
	if (res.status !== 200) {
		throw new Error(`bench:cluster: ${what} answered ${res.status}: ${JSON.stringify(res.content)}`);
	}
}

/** ms of one creation through `host` */
async function timeCreation(cluster: Cluster, host: Host): Promise<number> {
	const token = newVisitor(cluster);
	const started = process.hrtime.bigint();
	const res = await lookup(host, token);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	expectStatus(res, 'a creation');
	return ms;
}

/** ms until the creator's answer and until the last answer, for `k` simultaneous lookups of one new visitor */
async function timeBurst(cluster: Cluster, k: number, spread: boolean): Promise<{ creator: number; last: number; rooms: number }> {
	const token = newVisitor(cluster);
	const started = process.hrtime.bigint();
	let creator = NaN;
	const answers = await Promise.all(
		Array.from({ length: k }, (_, i) =>
			lookup(cluster.instances[spread ? i % INSTANCES : 0], token).then((res) => {
				if (res.status === 200 && (res.content as { newRoom?: boolean }).newRoom) {
					creator = Number(process.hrtime.bigint() - started) / 1e6;
				}
				return res;
			}),
		),
	);
	const last = Number(process.hrtime.bigint() - started) / 1e6;
	answers.forEach((res) => expectStatus(res, `a burst of ${k}`));
	const rooms = cluster.db.rooms.filter((room) => room.open === true && room.v && room.v.token === token).length;
	return { creator, last, rooms };
}

interface EngineResult {
	engine: EngineName;
	rounds: number;
	lookupHit: Summary;
	creation: { oneInstance: Summary; threeInstances: Summary };
	bursts: Array<{ k: number; oneInstance: { creator: Summary; last: Summary }; threeInstances: { creator: Summary; last: Summary } }>;
	roomsPerBurst: Array<number>;
	coordinationCallsPerCreation: Record<string, number>;
}

async function benchEngine(engine: EngineName, rounds: number, zip: string): Promise<EngineResult> {
	const cluster = await startCluster({ engine, zipPath: zip, data: worldData(), instances: INSTANCES, logRetention: 200 });
	try {
		await cluster.setSetting('requests_per_minute', 0);
		const hits: number[] = [];
		const one: number[] = [];
		const three: number[] = [];
		const burstSizes = [3, 50];
		const bursts = burstSizes.map(() => ({
			one: { creator: [] as number[], last: [] as number[] },
			three: { creator: [] as number[], last: [] as number[] },
		}));
		const roomsPerBurst: number[] = [];
		// warm-up: every instance creates and finds once
		for (const host of cluster.instances) {
			await timeCreation(cluster, host);
		}
		cluster.instances[0].calls.reset();
		await timeCreation(cluster, cluster.instances[0]);
		const coordinationCallsPerCreation = cluster.instances[0].calls.byMethod();
		for (let r = 0; r < rounds; r++) {
			for (let i = 0; i < 10; i++) {
				const started = process.hrtime.bigint();
				expectStatus(await lookup(cluster.instances[i % INSTANCES], SEED.visitorToken), 'a lookup');
				hits.push(Number(process.hrtime.bigint() - started) / 1e6);
				one.push(await timeCreation(cluster, cluster.instances[0]));
				three.push(await timeCreation(cluster, cluster.instances[(r * 10 + i) % INSTANCES]));
			}
			for (let b = 0; b < burstSizes.length; b++) {
				for (const spread of r % 2 ? [true, false] : [false, true]) {
					const outcome = await timeBurst(cluster, burstSizes[b], spread);
					const into = spread ? bursts[b].three : bursts[b].one;
					into.creator.push(outcome.creator);
					into.last.push(outcome.last);
					roomsPerBurst.push(outcome.rooms);
				}
			}
		}
		return {
			engine,
			rounds,
			lookupHit: summarize(hits),
			creation: { oneInstance: summarize(one), threeInstances: summarize(three) },
			bursts: burstSizes.map((k, b) => ({
				k,
				oneInstance: { creator: summarize(bursts[b].one.creator), last: summarize(bursts[b].one.last) },
				threeInstances: { creator: summarize(bursts[b].three.creator), last: summarize(bursts[b].three.last) },
			})),
			roomsPerBurst: Array.from(new Set(roomsPerBurst)),
			coordinationCallsPerCreation,
		};
	} finally {
		await cluster.stop();
	}
}

const ms = (value: number): string => round(value, 2).toFixed(2);
const ratio = (a: number, b: number): string => `${round(a / b, 2).toFixed(2)}×`;

function render(results: ReadonlyArray<EngineResult>, stamp: MachineStamp, loadEnd: number[]): string {
	const lines = [
		`# Cluster bench, ${stamp.date}`,
		'',
		`${stamp.cpu} (${stamp.cores} cores), Node ${stamp.node}; load average ${stamp.loadStart.join(' ')} before, ${loadEnd.join(' ')} after`,
		'',
	];
	for (const r of results) {
		lines.push(`## engine ${r.engine}, ${INSTANCES} instances, ${r.rounds} rounds`, '');
		lines.push('| what | p50 ms | p99 ms | p50 × 1 instance | p50 × lookup hit |', '| --- | ---: | ---: | ---: | ---: |');
		const row = (label: string, s: Summary, base: Summary) =>
			lines.push(`| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ratio(s.p50, base.p50)} | ${ratio(s.p50, r.lookupHit.p50)} |`);
		row('lookup hit (1 read)', r.lookupHit, r.lookupHit);
		row('creation, 1 instance', r.creation.oneInstance, r.creation.oneInstance);
		row('creation, 3 instances', r.creation.threeInstances, r.creation.oneInstance);
		for (const b of r.bursts) {
			row(`${b.k} at once, 1 instance: creator answered`, b.oneInstance.creator, b.oneInstance.creator);
			row(`${b.k} at once, 3 instances: creator answered`, b.threeInstances.creator, b.oneInstance.creator);
			row(`${b.k} at once, 1 instance: last answered`, b.oneInstance.last, b.oneInstance.last);
			row(`${b.k} at once, 3 instances: last answered`, b.threeInstances.last, b.oneInstance.last);
		}
		lines.push('', `open rooms per burst: ${JSON.stringify(r.roomsPerBurst)}`);
		lines.push(`engine calls of one uncontended creation: ${JSON.stringify(r.coordinationCallsPerCreation)}`, '');
	}
	return lines.join('\n');
}

async function main(): Promise<void> {
	// stays 1 if the event loop ever drains before the end (nothing may leave a request without a live handle)
	process.exitCode = 1;
	const options = parse(process.argv.slice(2));
	const zip = ensurePackaged();
	const stamp = machineStamp();
	const results: EngineResult[] = [];
	for (const engine of options.engines) {
		results.push(await benchEngine(engine, options.rounds, zip));
	}
	const loadEnd = loadAverage();
	const text = render(results, stamp, loadEnd);
	process.stdout.write(`${text}\n`);
	if (options.write) {
		fs.mkdirSync(RESULTS_DIR, { recursive: true });
		fs.writeFileSync(path.join(RESULTS_DIR, 'cluster-latest.md'), `${text}\n`);
		fs.writeFileSync(
			path.join(RESULTS_DIR, 'cluster-latest.json'),
			`${JSON.stringify({ stamp: { ...stamp, loadEnd }, results }, null, '\t')}\n`,
		);
	}
	process.exitCode = 0;
}

main().catch((e: unknown) => {
	process.stderr.write(`${e instanceof Error ? e.stack || e.message : String(e)}\n`);
	process.exit(1);
});
