/** tools/engines.ts (`npm run engines`): the comparison of a registry answer with the engine table, on a canned answer. */
import { describe, expect, it } from '@jest/globals';

import type { TableRow } from '../../test/engine/engines';
import { TABLE, TABLE_NAMES } from '../../test/engine/engines';
import { holdsOf, report, rowsToAdd, versionsBetweenRows } from '../../tools/engines';

const ROWS: ReadonlyArray<TableRow> = TABLE_NAMES.map((name): TableRow => TABLE[name]);

/**
 * A canned `npm view @rocket.chat/apps-engine versions --json`: versions of the registry of 2026-12-07 (from 1.40 on,
 * some left out) up to 1.66.0, a prerelease that never was (1.58.0-rc.0), then five that may come.
 */
const REGISTRY = [
	'1.40.0-alpha.275',
	'1.40.0',
	'1.42.1',
	'1.46.0',
	'1.53.1',
	'1.55.0',
	'1.55.1',
	'1.58.0-rc.0',
	'1.59.0',
	'1.62.0',
	'1.65.1',
	'1.66.0',
	'1.66.1',
	'1.67.0',
	'1.67.1',
	'1.69.0-rc.0',
	'1.70.0',
];

const FILES: Record<string, ReadonlyArray<string> | undefined> = {
	'1.66.1': ['definition/**'],
	'1.67.1': ['definition/**'],
	'1.70.0': ['definition/**', 'server/**', 'deno-runtime/**'],
};

describe('holdsOf (from package.json files)', () => {
	it('tells a runtime, definitions only, and what it cannot tell', () => {
		expect([
			holdsOf(['definition/**']),
			holdsOf(['definition/**', 'server/**', 'deno-runtime/**']),
			holdsOf(['./server', 'definition']),
			holdsOf(undefined),
			holdsOf(['definition/**', 'scripts/**']),
		]).toEqual(['definitions only', 'runtime', 'runtime', 'unknown', 'unknown']);
	});
});

describe('rowsToAdd', () => {
	it('on the registry of 2026-12-07 (as the table was written): nothing to add', () => {
		expect(rowsToAdd(REGISTRY.slice(0, REGISTRY.indexOf('1.66.0') + 1), () => ['definition/**'], ROWS)).toEqual([]);
	});

	it('gives the newer patch of a row, the newest patch of a new line, a new runnable line; no prerelease, nothing older', () => {
		expect(rowsToAdd(REGISTRY, (version) => FILES[version], ROWS)).toEqual([
			{
				version: '1.66.1',
				name: '1.66',
				holds: 'definitions only',
				replaces: '1.66.0',
				alias: '"apps-engine-1.66": "npm:@rocket.chat/apps-engine@1.66.1"',
			},
			{
				version: '1.67.1',
				name: '1.67',
				holds: 'definitions only',
				alias: '"apps-engine-1.67": "npm:@rocket.chat/apps-engine@1.67.1"',
			},
			{ version: '1.70.0', name: '1.70', holds: 'runtime', alias: '"apps-engine-1.70": "npm:@rocket.chat/apps-engine@1.70.0"' },
		]);
	});

	it('prints each row with its kind and alias', () => {
		const text = report(
			rowsToAdd(REGISTRY, (version) => FILES[version], ROWS),
			REGISTRY,
		);
		expect(text.split('\n').slice(2)).toEqual([
			'rows to add (test/engine/engines.ts, and the alias in package.json devDependencies):',
			"  1.66.1 (newer than row 1.66's 1.66.0): definitions only: a definitions row, type-checked by test/engine/definitions.test.ts",
			'    "apps-engine-1.66": "npm:@rocket.chat/apps-engine@1.66.1"',
			'  1.67.1: definitions only: a definitions row, type-checked by test/engine/definitions.test.ts',
			'    "apps-engine-1.67": "npm:@rocket.chat/apps-engine@1.67.1"',
			'  1.70.0: holds a runtime: a runnable row (runtime vm2/deno), every suite runs it',
			'    "apps-engine-1.70": "npm:@rocket.chat/apps-engine@1.70.0"',
		]);
		expect(text.split('\n')[0]).toBe('registry: 17 versions of @rocket.chat/apps-engine');
	});
});

describe('versionsBetweenRows', () => {
	it('names the newest stable patch of each line between the rows that the table has no row of', () => {
		expect(versionsBetweenRows(REGISTRY, ROWS)).toEqual(['1.46.0', '1.55.1']);
	});

	it('is printed before the rows to add', () => {
		expect(report([], REGISTRY, ['1.46.0', '1.55.1']).split('\n').slice(2)).toEqual([
			'between the rows, for lines the table proves nothing for: 1.46.0, 1.55.1',
			'nothing to add: the table has every version the registry holds that is newer than its rows',
		]);
	});
});
