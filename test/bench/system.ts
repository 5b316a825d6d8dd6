/** The machine and process facts a result is stamped with, and memory readings. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';

import { prepareDenoRuntime } from '../engine/deno';
import { isDenoEngine } from '../engine/engines';
import { enginePackageRoot, REPO_ROOT } from '../engine/host/engine';
import type { EngineName } from '../engine/host';

export interface MachineStamp {
	/** ISO-8601 */
	date: string;
	cpu: string;
	cores: number;
	memoryGb: number;
	os: string;
	node: string;
	/** 1, 5 and 15 minute load averages when the run started and when it ended */
	loadStart: number[];
	loadEnd?: number[];
}

export function machineStamp(): MachineStamp {
	const cpus = os.cpus();
	return {
		date: new Date().toISOString(),
		cpu: cpus.length ? cpus[0].model.trim() : 'unknown',
		cores: cpus.length,
		memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
		os: `${os.type()} ${os.release()}`,
		node: process.version,
		loadStart: loadAverage(),
	};
}

export function loadAverage(): number[] {
	return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

function packageVersion(root: string): string {
	return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The engine's version and what runs the app: `Deno 2.x (subprocess)` or `vm2 3.x (in-process)`. */
export async function engineRuntime(engine: EngineName): Promise<{ engineVersion: string; runtime: string }> {
	const engineVersion = packageVersion(enginePackageRoot(engine));
	if (isDenoEngine(engine)) {
		const env = await prepareDenoRuntime(engine);
		const out = execFileSync(path.join(env.binDir, 'deno'), ['--version'], { encoding: 'utf8' });
		const version = /deno (\S+)/.exec(out);
		return { engineVersion, runtime: `Deno ${version ? version[1] : '?'} (one subprocess per app)` };
	}
	const kind = process.env.ROCKETCHAT_APPS_ENGINE_RUNTIME || 'vm2';
	let vm2 = '?';
	try {
		vm2 = packageVersion(path.dirname(require.resolve('vm2/package.json', { paths: [enginePackageRoot(engine), REPO_ROOT] })));
	} catch {
		// not resolvable: leave the version out
	}
	return { engineVersion, runtime: kind === 'vm2' ? `vm2 ${vm2} (in-process)` : `Node vm (in-process)` };
}

type GcFunction = () => void;

let gcFunction: GcFunction | undefined | null = null;

/** `global.gc`, also without `--expose-gc` on the command line (the flag can be turned on at run time). */
function getGc(): GcFunction | undefined {
	if (gcFunction === null) {
		const exposed = (globalThis as { gc?: GcFunction }).gc;
		if (typeof exposed === 'function') {
			gcFunction = exposed;
		} else {
			try {
				v8.setFlagsFromString('--expose-gc');
				gcFunction = vm.runInNewContext('gc') as GcFunction;
			} catch {
				gcFunction = undefined;
			}
		}
	}
	return gcFunction;
}

/** Full collections until the heap stops shrinking; false when no gc could be forced. */
export async function settleHeap(): Promise<boolean> {
	const gc = getGc();
	if (!gc) {
		return false;
	}
	let previous = Infinity;
	for (let i = 0; i < 5; i++) {
		gc();
		await new Promise((resolve) => setImmediate(resolve));
		const used = process.memoryUsage().heapUsed;
		if (used >= previous * 0.995) {
			break;
		}
		previous = used;
	}
	return true;
}

/** VmRSS of a process, in bytes (Linux /proc), undefined where unreadable. */
export function processRss(pid: number): number | undefined {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}
