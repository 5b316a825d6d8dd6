/**
 * The Rocket.Chat release lines from 6.7 to 9.1 and what is proven for each: the compatibility table of the README
 * and docs/engines.md is this table, and `npm run verify` prints the row of the workspace it checks.
 *
 * A row covers one line or a run of consecutive lines that share everything below. `engine` names the row of
 * ./engines.ts that proves it (runs every suite, or type-checks the app against its definitions).
 *
 * DRAFT (2026-12-07, from ../shared/notes/ROCKETCHAT-LINES.md and the README's table): issue 18 checks each row
 * against Rocket.Chat's sources and the registry.
 */
import type { EngineName } from './engines';

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
	/** the engine row that proves it (run or type-checked), if any */
	readonly engine?: EngineName;
	readonly proven: Proof;
	/** known differences from the lines run, or why nothing more is proven */
	readonly differences: string;
}

export const LINES: ReadonlyArray<LineRow> = [
	{
		from: '6.7',
		to: '6.9',
		support: 'ended',
		appsEngine: '1.42.x',
		runtime: 'the server process (vm2)',
		engine: '1.42',
		proven: 'runs every suite',
		differences: 'still has the core voip/room; `direction` is not stored on a created room',
	},
	{
		from: '6.10',
		to: '6.13',
		support: 'ended',
		appsEngine: '1.43–1.46',
		runtime: 'Deno 1.37.1',
		proven: 'nothing',
		differences: 'still has the core voip/room; no engine of these lines is run',
	},
	{
		from: '7.0',
		to: '7.7',
		support: 'ended',
		appsEngine: '1.47–1.52',
		runtime: 'Deno 1.43.5',
		proven: 'nothing',
		differences: 'still has the core voip/room; no engine of these lines is run',
	},
	{
		from: '7.8',
		to: '7.8',
		support: 'ended',
		appsEngine: '1.53.x',
		runtime: 'Deno 1.43.5 (tests: 1.46.3)',
		engine: '1.53',
		proven: 'runs every suite',
		differences: 'still has the core voip/room; the __proto__ wedge is permanent (the runtime is not restarted)',
	},
	{
		from: '7.9',
		to: '7.13',
		support: 'ended',
		appsEngine: '1.54–1.58',
		runtime: 'Deno 1.43.5',
		proven: 'nothing',
		differences: 'still has the core voip/room; no engine of these lines is run',
	},
	{
		from: '8.0',
		to: '8.1',
		support: 'ended',
		appsEngine: '1.59.x',
		runtime: 'Deno 1.43.5 (tests: 1.46.3)',
		engine: '1.59',
		proven: 'runs every suite',
		differences: 'the first line without the core voip/room',
	},
	{
		from: '8.2',
		to: '8.3',
		support: 'ended',
		appsEngine: '1.60–1.61',
		runtime: 'Deno 1.43.5',
		proven: 'reviewed only',
		differences: 'not on the registry: no engine to run or type-check',
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
	},
	{
		from: '8.5',
		to: '8.6',
		support: 'supported',
		appsEngine: '1.63–1.64',
		runtime: 'Deno 2.3.1',
		proven: 'reviewed only',
		differences: 'not on the registry: no definitions to type-check; no engine of 8.5 or later runs outside a Rocket.Chat server',
	},
	{
		from: '8.7',
		to: '8.7',
		support: 'supported',
		appsEngine: '1.65.1',
		runtime: 'Deno 2.3.1',
		proven: 'type-checked',
		differences: 'definitions only on the registry: the runtime is not run',
	},
	{
		from: '8.8',
		to: '8.8',
		support: 'supported',
		appsEngine: '1.66.0',
		runtime: 'Node (Deno selectable)',
		proven: 'type-checked',
		differences: 'definitions only on the registry: the runtime is not run',
	},
	{
		from: '8.9',
		to: '9.0',
		support: 'supported',
		appsEngine: '1.67–1.68',
		runtime: 'Node',
		proven: 'reviewed only',
		differences: 'not on the registry: no definitions to type-check',
	},
	{
		from: '9.1',
		to: '9.1',
		support: 'release candidates',
		appsEngine: '1.69.0-rc.0',
		runtime: 'Node',
		proven: 'reviewed only',
		differences: 'release candidates only',
	},
];

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
