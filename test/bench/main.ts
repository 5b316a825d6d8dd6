/**
 * `npm run bench [-- options]`: the endpoint's cost against the engine's own floor, in one run.
 *
 *   --engine NAME|all         an engine of test/engine/engines.ts (1.42, 1.53, 1.59, 1.62; default 1.62), a comma list,
 *                             or all (every engine of the table, one results table)
 *   --calls N                 measured calls per path (default 3000)
 *   --block N                 calls per path and round; rounds interleave the paths (default 50)
 *   --warmup N                unmeasured calls per path first (default 300)
 *   --memory-calls N          app calls between the two memory readings (default 10000; 0: skip)
 *   --http-seconds N          seconds of measured HTTP load per endpoint (default 12, after 4 of warm-up); --no-http skips it
 *   --http-connections N      autocannon connections (default 8)
 *   --http-front              serve HTTP through the bench's own front even where test/server exists
 *   --bundle                  install the app's zip bundled into one file (bundle.ts), to see what that changes
 *   --out DIR                 where latest.json/.md and the dated copies go (default test/bench/results)
 *   --no-write                print only
 */
import { ALL_ENGINES, parseEngineName } from '../engine/engines';
import type { EngineName } from '../engine/host';
import type { EngineBenchOptions } from './engineBench';
import { runEngineBench } from './engineBench';
import type { HttpOutcome } from './http';
import { runHttpBench } from './http';
import type { BenchReport, EngineRun } from './report';
import { RESULTS_DIR, renderText, writeReport } from './report';
import { loadAverage, machineStamp } from './system';
import { checkTargets } from './targets';

export interface BenchOptions {
	engines: EngineName[];
	calls: number;
	block: number;
	warmup: number;
	memoryCalls: number;
	http: boolean;
	httpSeconds: number;
	httpConnections: number;
	httpFront: boolean;
	bundle: boolean;
	out: string;
	write: boolean;
}

export const DEFAULTS: BenchOptions = {
	engines: ['1.62'],
	calls: 3000,
	block: 50,
	warmup: 300,
	memoryCalls: 10000,
	http: true,
	httpSeconds: 12,
	httpConnections: 8,
	httpFront: false,
	bundle: false,
	out: RESULTS_DIR,
	write: true,
};

const USAGE = `usage: npm run bench -- [--engine ${ALL_ENGINES.join('|')}|all|A,B] [--calls N] [--block N] [--warmup N] [--memory-calls N]
                        [--http-seconds N] [--http-connections N] [--http-front] [--no-http] [--bundle] [--out DIR] [--no-write]`;

function count(flag: string, value: string | undefined, min: number): number {
	const n = Number(value);
	if (value === undefined || !Number.isInteger(n) || n < min) {
		throw new Error(`${flag} needs a whole number ≥ ${min}\n${USAGE}`);
	}
	return n;
}

export function parseArgs(argv: ReadonlyArray<string>): BenchOptions {
	const options: BenchOptions = { ...DEFAULTS };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
		switch (flag) {
			case '--engine': {
				const given = value() || '';
				const names = given === 'all' ? [...ALL_ENGINES] : given.split(',').map((name) => parseEngineName(name.trim()));
				if (!names.length || names.some((name) => name === undefined)) {
					throw new Error(
						`--engine is one of ${ALL_ENGINES.join(', ')}, a comma list of them, or all; not ${JSON.stringify(given)}\n${USAGE}`,
					);
				}
				options.engines = names as EngineName[];
				break;
			}
			case '--calls':
				options.calls = count(flag, value(), 1);
				break;
			case '--block':
				options.block = count(flag, value(), 1);
				break;
			case '--warmup':
				options.warmup = count(flag, value(), 0);
				break;
			case '--memory-calls':
				options.memoryCalls = count(flag, value(), 0);
				break;
			case '--http-seconds':
				options.httpSeconds = count(flag, value(), 1);
				break;
			case '--http-connections':
				options.httpConnections = count(flag, value(), 1);
				break;
			case '--http-front':
				options.httpFront = true;
				break;
			case '--bundle':
				options.bundle = true;
				break;
			case '--no-http':
				options.http = false;
				break;
			case '--out': {
				const dir = value();
				if (!dir) {
					throw new Error(`--out needs a directory\n${USAGE}`);
				}
				options.out = dir;
				break;
			}
			case '--no-write':
				options.write = false;
				break;
			case '--help':
			case '-h':
				throw new Error(USAGE);
			default:
				throw new Error(`unknown option ${arg}\n${USAGE}`);
		}
	}
	return options;
}

/** Everything for one engine: the in-engine rounds and memory, then the HTTP part. */
export async function runEngine(engine: EngineName, options: BenchOptions, progress: (line: string) => void): Promise<EngineRun> {
	const engineOptions: EngineBenchOptions = {
		engine,
		callsPerPath: options.calls,
		block: options.block,
		warmup: options.warmup,
		memoryCalls: options.memoryCalls,
		bundle: options.bundle,
		progress,
	};
	const result = await runEngineBench(engineOptions);
	let http: HttpOutcome | undefined;
	if (options.http) {
		try {
			http = await runHttpBench({
				engine,
				seconds: options.httpSeconds,
				connections: options.httpConnections,
				front: options.httpFront,
				bundle: options.bundle,
				progress,
			});
		} catch (e) {
			http = { skipped: `failed: ${e instanceof Error ? e.message : String(e)}` };
		}
	}
	return { result, targets: checkTargets(result), http };
}

export async function runBench(options: BenchOptions, progress: (line: string) => void): Promise<BenchReport> {
	const stamp = machineStamp();
	const runs: EngineRun[] = [];
	for (const engine of options.engines) {
		runs.push(await runEngine(engine, options, progress));
	}
	stamp.loadEnd = loadAverage();
	const { out: _out, write: _write, ...recorded } = options;
	return { stamp, options: recorded, runs };
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const progress = (line: string): void => {
		process.stderr.write(`${line}\n`);
	};
	const report = await runBench(options, progress);
	process.stdout.write(`\n${renderText(report)}\n`);
	if (options.write) {
		const written = writeReport(report, options.out);
		process.stdout.write(`\nwritten: ${written.join(', ')}\n`);
	}
	const missed = report.runs.some((run) => run.targets.some((t) => t.applies && t.met === false));
	if (missed) {
		process.stdout.write('\nat least one target missed (see the table)\n');
	}
}

if (require.main === module) {
	main().catch((e: unknown) => {
		process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
		process.exitCode = 1;
	});
}
