/** test/engine/lines.ts: the Rocket.Chat lines 6.7–9.1, lineOf, and the pages that hold the table. */
import { describe, expect, it } from '@jest/globals';
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../../tools/package';
import { isRunnable, TABLE } from '../engine/engines';
import type { TableVariant } from '../engine/lines';
import { LINES, TABLE_DATE, lineOf, linesTableCells, linesTableMarkdown, tableCellsIn } from '../engine/lines';

/** Every minor line from 6.7 to 9.1 (6.x ended at 6.13, 7.x at 7.13, 8.x at 8.9). */
const EVERY_LINE = [
	...[7, 8, 9, 10, 11, 12, 13].map((minor) => `6.${minor}`),
	...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((minor) => `7.${minor}`),
	...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((minor) => `8.${minor}`),
	'9.0',
	'9.1',
];

/** The pages that hold the compatibility table between its markers, and which rendering. */
const TABLE_PAGES: Array<[string, TableVariant]> = [
	['README.md', 'front'],
	[path.join('docs', 'engines.md'), 'full'],
];

describe('LINES', () => {
	it('has exactly one row for every line from 6.7 to 9.1, in order, and none outside', () => {
		expect(EVERY_LINE.map((line) => LINES.filter((row) => lineOf(`${line}.0`) === row).length)).toEqual(EVERY_LINE.map(() => 1));
		expect(EVERY_LINE.map((line) => LINES.indexOf(lineOf(line)!))).toEqual(
			[...EVERY_LINE.map((line) => LINES.indexOf(lineOf(line)!))].sort((a, b) => a - b),
		);
		expect([lineOf('6.6.9'), lineOf('9.2.0'), lineOf('10.0.0')]).toEqual([undefined, undefined, undefined]);
	});

	it('names an engine of the table of the right kind: runnable for "runs every suite", definitions for "type-checked"', () => {
		const kinds = LINES.map((row) => [
			`${row.from}–${row.to}`,
			row.proven,
			row.engine === undefined ? 'none' : isRunnable(row.engine) ? 'runnable' : TABLE[row.engine].runtime,
		]);
		expect(kinds).toEqual([
			['6.7–6.9', 'runs every suite', 'runnable'],
			['6.10–6.13', 'nothing', 'none'],
			['7.0–7.7', 'nothing', 'none'],
			['7.8–7.8', 'runs every suite', 'runnable'],
			['7.9–7.13', 'nothing', 'none'],
			['8.0–8.1', 'runs every suite', 'runnable'],
			['8.2–8.3', 'reviewed only', 'none'],
			['8.4–8.4', 'runs every suite', 'runnable'],
			['8.5–8.6', 'reviewed only', 'none'],
			['8.7–8.7', 'type-checked', 'definitions'],
			['8.8–8.8', 'type-checked', 'definitions'],
			['8.9–9.0', 'reviewed only', 'none'],
			['9.1–9.1', 'reviewed only', 'none'],
		]);
	});

	it("gives each engine row's Rocket.Chat lines as the table does", () => {
		for (const row of LINES.filter((line) => line.engine !== undefined)) {
			const engine = TABLE[row.engine!];
			expect([engine.rocketChat, engine.version.startsWith(row.appsEngine.replace(/\.x$/, ''))]).toEqual([
				row.from === row.to ? row.from : `${row.from}–${row.to}`,
				true,
			]);
		}
	});

	it('marks support as of the table date: 8.5 and later supported, 9.1 in release candidates', () => {
		expect(TABLE_DATE).toBe('2026-12-07');
		expect(['8.4', '8.5', '8.8', '9.0', '9.1'].map((line) => lineOf(line)!.support)).toEqual([
			'ended',
			'supported',
			'supported',
			'supported',
			'release candidates',
		]);
	});
});

describe('lineOf', () => {
	it('takes a workspace version as GET /api/info gives it', () => {
		expect(['8.8.1', '9.0.0-rc.2', '6.7.0', '6.13.4', ' 8.4.2 ', '7.10.3'].map((version) => lineOf(version)?.from)).toEqual([
			'8.8',
			'8.9',
			'6.7',
			'6.10',
			'8.4',
			'7.9',
		]);
	});

	it('is undefined for text that is no version', () => {
		expect(['', 'eight', '8', 'v8.8.0', '8.x'].map((version) => lineOf(version))).toEqual([
			undefined,
			undefined,
			undefined,
			undefined,
			undefined,
		]);
	});
});

describe('the pages hold exactly this table', () => {
	it('no cell holds a "|" (the pages parse it by column)', () => {
		expect(
			linesTableCells()
				.flat()
				.filter((cell) => cell.includes('|')),
		).toEqual([]);
	});

	it.each(['full', 'front'] as const)('renders one Markdown row per line row, plus the header (%s)', (variant) => {
		expect(tableCellsIn(linesTableMarkdown(variant))).toEqual(linesTableCells(variant));
		expect(linesTableCells(variant).map((row) => row.length)).toEqual(linesTableCells(variant).map(() => (variant === 'full' ? 7 : 6)));
	});

	it.each(TABLE_PAGES)('%s holds the %s table (npm run lines)', (page, variant) => {
		expect(tableCellsIn(fs.readFileSync(path.join(ROOT, page), 'utf8'))).toEqual(linesTableCells(variant));
	});
});
