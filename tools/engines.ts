/**
 * `npm run engines`: asks the npm registry which `@rocket.chat/apps-engine` versions exist, compares them with the
 * engine table (test/engine/engines.ts) and prints the rows to add, each with whether the version holds a runtime
 * (server/ + deno-runtime/: the tests can run it) or only definitions (from 1.65 on: type-checked only).
 *
 * Not part of `npm test`: the answer depends on the registry of the day. Its comparison (`rowsToAdd`) is pure and
 * unit-tested (test/unit/engines.test.ts) on a canned registry answer.
 */
import { execFileSync } from 'child_process';

import type { TableRow } from '../test/engine/engines';
import { TABLE, TABLE_NAMES } from '../test/engine/engines';

const PACKAGE = '@rocket.chat/apps-engine';

export type Holds = 'runtime' | 'definitions only' | 'unknown';

export interface RowToAdd {
	readonly version: string;
	/** the table name it would get (major.minor) */
	readonly name: string;
	readonly holds: Holds;
	/** the row of that name already in the table, when the version is a newer patch of it */
	readonly replaces?: string;
	/** the devDependencies entry */
	readonly alias: string;
}

type Triple = [number, number, number];

function parse(version: string): Triple | undefined {
	const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
	return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a: Triple, b: Triple): number {
	return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * What a version holds, from its package.json `files` (npm view … files): 1.65 on list only `definition/**`;
 * the runnable engines list server/ and deno-runtime/ (or have no `files`: the whole package).
 */
export function holdsOf(files: ReadonlyArray<string> | undefined): Holds {
	if (files === undefined) {
		return 'unknown';
	}
	if (files.some((entry) => /^(\.\/)?(server|deno-runtime)(\/|$)/.test(entry))) {
		return 'runtime';
	}
	return files.every((entry) => /^(\.\/)?definition(\/|$)/.test(entry)) ? 'definitions only' : 'unknown';
}

/**
 * The stable versions newer than the table's newest row (prereleases are left out), and newer patches of a row's
 * version; oldest first.
 */
export function rowsToAdd(
	registryVersions: ReadonlyArray<string>,
	filesOf: (version: string) => ReadonlyArray<string> | undefined,
	table: ReadonlyArray<TableRow>,
): Array<RowToAdd> {
	const rows = table
		.map((row) => ({ row, at: parse(row.version) }))
		.filter((entry): entry is { row: TableRow; at: Triple } => !!entry.at);
	const newest = rows.reduce<Triple>((max, entry) => (compare(entry.at, max) > 0 ? entry.at : max), [0, 0, 0]);
	const found: Array<{ version: string; at: Triple }> = [];
	for (const version of registryVersions) {
		const at = parse(version);
		if (!at || rows.some((entry) => compare(entry.at, at) === 0)) {
			continue;
		}
		const sameLine = rows.find((entry) => entry.at[0] === at[0] && entry.at[1] === at[1]);
		if (compare(at, newest) > 0 || (sameLine && compare(at, sameLine.at) > 0)) {
			found.push({ version, at });
		}
	}
	// of several new patches of one line, only the newest
	const newestOfLine = found.filter(
		(entry) => !found.some((other) => other.at[0] === entry.at[0] && other.at[1] === entry.at[1] && compare(other.at, entry.at) > 0),
	);
	return newestOfLine
		.sort((a, b) => compare(a.at, b.at))
		.map(({ version, at }) => {
			const name = `${at[0]}.${at[1]}`;
			const sameLine = rows.find((entry) => entry.at[0] === at[0] && entry.at[1] === at[1]);
			return {
				version,
				name,
				holds: holdsOf(filesOf(version)),
				...(sameLine ? { replaces: sameLine.row.version } : {}),
				alias: `"apps-engine-${name}": "npm:${PACKAGE}@${version}"`,
			};
		});
}

/**
 * The stable versions between the table's rows (older than its newest row, of a line the table has no row of):
 * engines that could prove lines the table marks 'nothing'. The newest patch of each line, oldest first.
 */
export function versionsBetweenRows(registryVersions: ReadonlyArray<string>, table: ReadonlyArray<TableRow>): Array<string> {
	const rows = table.map((row) => parse(row.version)).filter((at): at is Triple => !!at);
	const newest = rows.reduce<Triple>((max, at) => (compare(at, max) > 0 ? at : max), [0, 0, 0]);
	const oldest = rows.reduce<Triple>((min, at) => (compare(at, min) < 0 ? at : min), newest);
	const between = registryVersions
		.map((version) => ({ version, at: parse(version) }))
		.filter((entry): entry is { version: string; at: Triple } => !!entry.at)
		.filter(
			({ at }) => compare(at, oldest) > 0 && compare(at, newest) < 0 && !rows.some((row) => row[0] === at[0] && row[1] === at[1]),
		);
	return between
		.filter(
			(entry) =>
				!between.some((other) => other.at[0] === entry.at[0] && other.at[1] === entry.at[1] && compare(other.at, entry.at) > 0),
		)
		.sort((a, b) => compare(a.at, b.at))
		.map((entry) => entry.version);
}

export function report(
	toAdd: ReadonlyArray<RowToAdd>,
	registryVersions: ReadonlyArray<string>,
	between: ReadonlyArray<string> = [],
): string {
	const table = TABLE_NAMES.map((name) => `${name} (${TABLE[name].version}, ${TABLE[name].runtime})`).join(', ');
	const lines = [`registry: ${registryVersions.length} versions of ${PACKAGE}`, `engine table: ${table}`];
	if (between.length > 0) {
		lines.push(`between the rows, for lines the table proves nothing for: ${between.join(', ')}`);
	}
	if (toAdd.length === 0) {
		lines.push('nothing to add: the table has every version the registry holds that is newer than its rows');
		return lines.join('\n');
	}
	lines.push('rows to add (test/engine/engines.ts, and the alias in package.json devDependencies):');
	for (const row of toAdd) {
		const what =
			row.holds === 'runtime'
				? 'holds a runtime: a runnable row (runtime vm2/deno), every suite runs it'
				: row.holds === 'definitions only'
					? 'definitions only: a definitions row, type-checked by test/engine/definitions.test.ts'
					: 'unknown content: read its tarball (npm pack) before you choose the row kind';
		lines.push(`  ${row.version}${row.replaces ? ` (newer than row ${row.name}'s ${row.replaces})` : ''}: ${what}`);
		lines.push(`    ${row.alias}`);
	}
	return lines.join('\n');
}

function npmView(args: ReadonlyArray<string>): unknown {
	const text = execFileSync('npm', ['view', ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
	return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function registryFiles(version: string): ReadonlyArray<string> | undefined {
	const files = npmView([`${PACKAGE}@${version}`, 'files']);
	return Array.isArray(files) ? files.map(String) : undefined;
}

if (require.main === module) {
	try {
		const answer = npmView([PACKAGE, 'versions']);
		const versions = Array.isArray(answer) ? answer.map(String) : [];
		const rows = TABLE_NAMES.map((name): TableRow => TABLE[name]);
		process.stdout.write(`${report(rowsToAdd(versions, registryFiles, rows), versions, versionsBetweenRows(versions, rows))}\n`);
	} catch (e) {
		process.stderr.write(`npm run engines: the registry did not answer: ${e instanceof Error ? e.message : String(e)}\n`);
		process.exit(1);
	}
}
