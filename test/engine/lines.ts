/**
 * The Rocket.Chat release lines from 6.7 to 9.1 and what is proven for each: the compatibility table of the README
 * and docs/engines.md is this table, and `npm run verify` prints the row of the workspace it checks.
 *
 * A row covers one line or a run of consecutive lines that share everything below. `engine` names the row of
 * ./engines.ts that proves it (runs every suite, or type-checks the app against its definitions).
 *
 * Checked (issue 18, 2026-12-07) against the npm registry (`npm view @rocket.chat/apps-engine versions`: from 1.59 on
 * it holds 1.59.0, 1.62.0, 1.65.1 and 1.66.0 only), the engine table, and Rocket.Chat's stored sources of
 * packages/apps (the runtimes' read loops, codec and LivenessManager): see `wedge` per row and HANDOFF.md / docs/engines.md.
 * The line → apps-engine mapping of 8.2–9.1 is from Rocket.Chat's release notes (../shared/notes/ROCKETCHAT-LINES.md).
 */
import type { TableName } from './engines';

/** The date the table was written: support status is as of that day. */
export const TABLE_DATE = '2026-12-07';

/** What the tests prove for a line, strongest first. */
export type Proof = 'runs every suite' | 'type-checked' | 'reviewed only' | 'nothing';

export type Support = 'supported' | 'ended' | 'release candidates';

export interface LineRow {
	/** first and last line of the row, e.g. `8.5`; equal for a row of one line */
	readonly from: string;
	readonly to: string;
	readonly support: Support;
	/** the Apps-Engine version(s) the line ships, as Rocket.Chat's release notes give them */
	readonly appsEngine: string;
	/** where apps run on that line */
	readonly runtime: string;
	/**
	 * the row of the engine table (./engines.ts) that proves it, if any: a runnable row for 'runs every suite', a
	 * definitions row for 'type-checked'
	 */
	readonly engine?: TableName;
	readonly proven: Proof;
	/** known differences from the lines run, or why nothing more is proven */
	readonly differences: string;
	/** what a request with an own `__proto__` key does to the app's runtime on that line (the shield's text) */
	readonly wedge: string;
}

/** The sentences of `wedge`, shared by the rows they describe. */
const WEDGE = {
	none: 'not affected: apps run in the server process (vm2), no runtime decodes the request',
	exits: 'wedged until the app is restarted by hand: the Deno runtime ends its read loop and exits cleanly, and the engine does not restart a clean exit (measured on 1.53.1)',
	restart:
		"wedged for about a minute each time: the runtime's msgpack read loop dies on the key, the subprocess stays up without reading, and the LivenessManager restarts it after 4 unanswered pings (measured on 1.59.0 and 1.62.0)",
	restartReviewed:
		'wedged for about a minute each time (read in the source, not run): the runtime decodes stdin with @msgpack/msgpack in one `for await` loop that dies on the key; the subprocess stays up, and the LivenessManager restarts it after 4 unanswered pings',
	unknown: 'not known: no engine of these lines is run or read',
	between:
		'wedged for about a minute each time (inferred: the engines before and after, 1.59.0 and 1.62.0, were measured so, and the read loop is the same)',
} as const;

export const LINES: ReadonlyArray<LineRow> = [
	{
		from: '6.7',
		to: '6.9',
		support: 'ended',
		appsEngine: '1.42.x',
		runtime: 'the server process (vm2)',
		engine: '1.42',
		proven: 'runs every suite',
		differences:
			"still has the core voip/room; `direction` is not stored on a created room (the server stores creator custom fields from 6.12); a non-GET request gets the server's 404; the `rid` path is ~3× its floor (vm2)",
		wedge: WEDGE.none,
	},
	{
		from: '6.10',
		to: '6.13',
		support: 'ended',
		appsEngine: '1.43–1.46',
		runtime: 'Deno 1.37.1',
		proven: 'nothing',
		differences: 'still has the core voip/room; no engine of these lines is run',
		wedge: WEDGE.unknown,
	},
	{
		from: '7.0',
		to: '7.7',
		support: 'ended',
		appsEngine: '1.47–1.52',
		runtime: 'Deno 1.43.5',
		proven: 'nothing',
		differences: 'still has the core voip/room; no engine of these lines is run',
		wedge: WEDGE.unknown,
	},
	{
		from: '7.8',
		to: '7.8',
		support: 'ended',
		appsEngine: '1.53.x',
		runtime: 'Deno 1.43.5 (tests: 1.46.3)',
		engine: '1.53',
		proven: 'runs every suite',
		differences:
			'still has the core voip/room; the engine reports the app `auto_enabled`; the runtime runs in place under `node_modules`',
		wedge: WEDGE.exits,
	},
	{
		from: '7.9',
		to: '7.13',
		support: 'ended',
		appsEngine: '1.54–1.58',
		runtime: 'Deno 1.43.5',
		proven: 'nothing',
		differences: 'still has the core voip/room; no engine of these lines is run',
		wedge: WEDGE.unknown,
	},
	{
		from: '8.0',
		to: '8.1',
		support: 'ended',
		appsEngine: '1.59.x',
		runtime: 'Deno 1.43.5 (tests: 1.46.3)',
		engine: '1.59',
		proven: 'runs every suite',
		differences:
			'the first line without the core voip/room: this app is its replacement; the runtime runs in place under `node_modules`',
		wedge: WEDGE.restart,
	},
	{
		from: '8.2',
		to: '8.3',
		support: 'ended',
		appsEngine: '1.60–1.61',
		runtime: 'Deno 1.43.5',
		proven: 'reviewed only',
		differences:
			'not on the registry: no engine to run or type-check; 1.60 fixed `:param` API paths (#38513), which the app does not use',
		wedge: WEDGE.between,
	},
	{
		from: '8.4',
		to: '8.4',
		support: 'ended',
		appsEngine: '1.62.0',
		runtime: 'Deno 2.3.1',
		engine: '1.62',
		proven: 'runs every suite',
		differences: 'the engine copies its runtime to a temporary folder before it starts it',
		wedge: WEDGE.restart,
	},
	{
		from: '8.5',
		to: '8.6',
		support: 'supported',
		appsEngine: '1.63–1.64',
		runtime: 'Deno 2.3.1',
		proven: 'reviewed only',
		differences:
			"not on the registry: no definitions to type-check; the engine lives in Rocket.Chat's unpublished packages/apps from here on, so no engine of 8.5 or later runs outside a Rocket.Chat server",
		wedge: WEDGE.restartReviewed,
	},
	{
		from: '8.7',
		to: '8.7',
		support: 'supported',
		appsEngine: '1.65.1',
		runtime: 'Deno 2.3.1',
		engine: '1.65',
		proven: 'type-checked',
		differences:
			'definitions only on the registry: the runtime is not run; against 1.62 the definitions the app uses only gained optional fields (IRoom, IUser) and IUserRead.getBySipExtension; converters 8.7+ (from 8.7: inferred): a room document’s federated and abacAttributes no longer reach the answer',
		wedge: WEDGE.restartReviewed,
	},
	{
		from: '8.8',
		to: '8.8',
		support: 'supported',
		appsEngine: '1.66.0',
		runtime: 'Node (Deno selectable)',
		engine: '1.66',
		proven: 'type-checked',
		differences:
			'definitions only on the registry: the runtime is not run; the Node runtime (the default) is new and never run here; converters 8.7+ as on 8.7',
		wedge: WEDGE.restartReviewed,
	},
	{
		from: '8.9',
		to: '9.0',
		support: 'supported',
		appsEngine: '1.67–1.68',
		runtime: 'Node',
		proven: 'reviewed only',
		differences: 'not on the registry: no definitions to type-check; Deno removed (#41201); converters 8.7+ as on 8.7',
		wedge: WEDGE.restartReviewed,
	},
	{
		from: '9.1',
		to: '9.1',
		support: 'release candidates',
		appsEngine: '1.69.0-rc.0',
		runtime: 'Node',
		proven: 'reviewed only',
		differences:
			'release candidates only, not on the registry; a Node IPC transport without msgpack (#41232, open when read) would end the wedge if it ships',
		wedge: WEDGE.restartReviewed,
	},
];

/**
 * Which rendering of the table a page holds: 'full' (docs/engines.md) has every column; 'front' (the README) leaves
 * out the `__proto__` column (the README links to it).
 */
export type TableVariant = 'full' | 'front';

/** The compatibility table's cells, header first: README.md and docs/engines.md hold this table (test/unit/lines.test.ts). */
export function linesTableCells(variant: TableVariant = 'full'): Array<Array<string>> {
	const header = ['Rocket.Chat', `support (${TABLE_DATE})`, 'Apps-Engine', 'runs apps in', 'proven', 'known differences'];
	const rows = LINES.map((row) => [
		row.from === row.to ? row.from : `${row.from}–${row.to}`,
		row.support,
		row.appsEngine,
		row.runtime,
		row.engine ? `${row.proven} (engine ${row.engine})` : row.proven,
		row.differences,
		...(variant === 'full' ? [row.wedge] : []),
	]);
	return [variant === 'full' ? [...header, 'a `__proto__` key in a request'] : header, ...rows];
}

/** The same table as Markdown, between the markers a page holds it in. */
export function linesTableMarkdown(variant: TableVariant = 'full'): string {
	const [header, ...rows] = linesTableCells(variant);
	const line = (cells: Array<string>) => `| ${cells.join(' | ')} |`;
	return [LINES_BEGIN, line(header), line(header.map(() => '---')), ...rows.map(line), LINES_END].join('\n');
}

export const LINES_BEGIN = '<!-- lines:begin (generated from test/engine/lines.ts: npm run lines) -->';
export const LINES_END = '<!-- lines:end -->';

/** The cells of the table a Markdown page holds between the markers; undefined when it holds none. */
export function tableCellsIn(markdown: string): Array<Array<string>> | undefined {
	const begin = markdown.indexOf(LINES_BEGIN);
	const end = markdown.indexOf(LINES_END);
	if (begin < 0 || end < begin) {
		return undefined;
	}
	return markdown
		.slice(begin + LINES_BEGIN.length, end)
		.split('\n')
		.map((text) => text.trim())
		.filter((text) => text.startsWith('|') && !/^\|[\s:|-]+\|$/.test(text))
		.map((text) =>
			text
				.slice(1, -1)
				.split('|')
				.map((cell) => cell.trim()),
		);
}

/** `8.8.1` → [8, 8]; undefined for text that does not start with two numbers. */
function majorMinor(version: string): [number, number] | undefined {
	const match = /^(\d+)\.(\d+)(?:\.|-|$)/.exec(version.trim());
	return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function compare(a: [number, number], b: [number, number]): number {
	return a[0] - b[0] || a[1] - b[1];
}

/** The row of a Rocket.Chat version (`8.8.1`, `9.0.0-rc.2`); undefined outside 6.7–9.1 or for text that is no version. */
export function lineOf(version: string): LineRow | undefined {
	const at = majorMinor(version);
	if (!at) {
		return undefined;
	}
	return LINES.find((row) => {
		const from = majorMinor(row.from);
		const to = majorMinor(row.to);
		return !!from && !!to && compare(from, at) <= 0 && compare(at, to) <= 0;
	});
}
