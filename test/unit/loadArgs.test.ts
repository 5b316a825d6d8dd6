/** `npm run load`'s arguments (test/load/main.ts, read with tools/cliArgs.ts): bad usage exits 2 before any load runs. */
import { spawnSync } from 'child_process';
import * as path from 'path';

import { describe, expect, it } from '@jest/globals';

import { ROOT } from '../../tools/package';

const USAGE =
	'usage: npm run load -- [--engine 1.42|1.53|1.59|1.62|all] [--duration SECONDS] [--connections N] [--warmup SECONDS] [--json]';

function load(...args: string[]): { status: number | null; stderr: string } {
	const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'test/load/main.ts', ...args], {
		cwd: ROOT,
		encoding: 'utf8',
		timeout: 60000,
	});
	return { status: run.status, stderr: run.stderr.trim() };
}

describe('npm run load: usage', () => {
	it.each([
		[['--duration', 'soon'], '--duration: a whole number from 1 to 600, not "soon"'],
		[['--connections=0'], '--connections: a whole number from 1 to 1000, not "0"'],
		[['--engine', '2.0'], '--engine: one of 1.42, 1.53, 1.59, 1.62 or all, not "2.0"'],
		[['--bogus'], `unknown option "--bogus"\n${USAGE}`],
		[['--json=1'], `--json takes no value\n${USAGE}`],
		[['--help'], USAGE],
	])('%j → exit 2 and one reason', (args, message) => {
		expect(load(...args)).toEqual({ status: 2, stderr: message });
	});
});
