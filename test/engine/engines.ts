/**
 * The engine table: one row per `@rocket.chat/apps-engine` the tests use, each an npm alias in package.json.
 * - Runnable rows (runtime `vm2` or `deno`, names `EngineName`): the tests run the app on them, every suite.
 *   Everything engine-specific (which package, which runtime, which Deno, which generation of Rocket.Chat's
 *   converters) is read from here.
 * - Definitions rows (runtime `definitions`, names `DefinitionsName`): the registry holds only the definitions of
 *   these versions (`"files": ["definition/**"]` from 1.65 on; the engine moved into Rocket.Chat's unpublished
 *   `packages/apps`), so nothing can run them: `test/engine/definitions.test.ts` type-checks the app's own files
 *   against each of them in every `npm test`.
 * Adding an engine is adding a row (and its npm alias); `npm run engines` (tools/engines.ts) says which rows the
 * registry has that the table has not.
 *
 * Sources of the mapping Rocket.Chat line → apps-engine → Deno are in each row's `sources`.
 */

/** A runnable engine: the short name a suite, `npm start -- --engine` and the bench use. */
export type EngineName = '1.42' | '1.53' | '1.59' | '1.62';

/** A definitions-only engine: type-checked against, never run. */
export type DefinitionsName = '1.65' | '1.66';

/** Any row of the table. */
export type TableName = EngineName | DefinitionsName;

/**
 * Which revision of Rocket.Chat's room and user converters the lines of a row have (the stand-in's converters
 * follow it, test/engine/host/converters.ts):
 * - 'before-8.7': what the runnable rows' lines have.
 * - '8.7+': the room converter maps `federated` to `isFederated` and `federation` to `federation`, and takes
 *   `abacAttributes` out of the room as a secure field only an app with `abac.read` reads; the user converter adds
 *   `isFederated`, `federation` and `sipExtension` (from `freeSwitchExtension`). Read in
 *   apps/meteor/app/apps/server/converters/rooms.ts (2093b92) and codecs/{rooms,users}.ts (9c93d92, 3a4b41a) of
 *   RocketChat/Rocket.Chat. That it starts with 8.7 is inferred: 1.65.1 (8.7) is the first definitions with
 *   `IRoom.isFederated`/`federation` and `IUser.sipExtension`; the stored converters carry no release tag.
 */
export type ConverterRevision = 'before-8.7' | '8.7+';

/** Which generation of Rocket.Chat's converters/bridges to imitate: 6.x (engine < 1.46) or 7.x/8.x. */
export type ServerFlavor = '6.x' | '7.x';

interface CommonRow {
	/** the exact @rocket.chat/apps-engine version */
	readonly version: string;
	/** the npm package (or alias) that holds it in node_modules */
	readonly packageName: string;
	/** the Rocket.Chat release lines that ship this engine */
	readonly rocketChat: string;
	/** where the mapping was read */
	readonly sources: ReadonlyArray<string>;
	/** the revision of Rocket.Chat's converters on those lines (see ConverterRevision) */
	readonly converters: ConverterRevision;
}

/** A row the registry holds only the definitions of: the app is type-checked against it, nothing runs. */
export interface DefinitionsRow extends CommonRow {
	readonly name: DefinitionsName;
	readonly runtime: 'definitions';
	/** where apps run on the lines that ship it (inside a Rocket.Chat server only) */
	readonly serverRuntime: string;
}

export interface EngineRow extends CommonRow {
	readonly name: EngineName;
	/** where the app runs: in the Node process (vm2) or in a Deno subprocess */
	readonly runtime: 'vm2' | 'deno';
	/**
	 * Deno: the npm alias of the Deno binary the tests run this engine's deno-runtime with: `@deno/linux-x64-glibc` of
	 * that version, an optional dependency (the registry has no other platforms of 1.46.3 and 2.3.1, so the `deno`
	 * package of those versions cannot be locked for `npm ci`); elsewhere than Linux x64 the Deno engines do not run.
	 */
	readonly denoPackage?: string;
	/** Deno: its version (what the tests run) */
	readonly denoVersion?: string;
	/** Deno: the version Rocket.Chat pins for the lines that ship this engine (.tool-versions), when it differs */
	readonly shippedDeno?: string;
	/**
	 * Deno: whether the engine runs `deno-runtime/main.ts` in place under node_modules (1.5x) or copies it to the
	 * `tempFilePath` first (1.62+).
	 */
	readonly runsInPlace?: boolean;
	/** the Rocket.Chat version the stand-in reports for this engine (GET /api/info): the first release of `rocketChat` */
	readonly serverVersion: string;
	readonly flavor: ServerFlavor;
}

export type TableRow = EngineRow | DefinitionsRow;

/*
 * The mapping, as read (2026-12-02) from Rocket.Chat's own files and packages; see `sources` per row.
 * Deno 1.43.5, which Rocket.Chat pins for 7.6–8.3, is not on the npm registry (the `deno` package starts at 1.46.0,
 * and `deno-bin` downloads its binary from GitHub at install): the 1.5x engines run here on 1.46.3, the nearest
 * Deno 1.x the registry has. That is a difference from a real workspace, listed in the compatibility table (README, docs/engines.md).
 */
export const TABLE: { readonly [N in TableName]: N extends EngineName ? EngineRow : DefinitionsRow } = {
	'1.42': {
		name: '1.42',
		version: '1.42.1',
		packageName: 'apps-engine-1.42',
		runtime: 'vm2',
		rocketChat: '6.7–6.9',
		serverVersion: '6.7.0',
		flavor: '6.x',
		converters: 'before-8.7',
		sources: [
			'npm view @rocket.chat/core-typings@6.9.7 dependencies: @rocket.chat/apps-engine 1.42.2 (6.7–6.9 ship 1.42.x)',
			'@rocket.chat/apps-engine@1.42.1 package: vm2 ^3.9.19, server/runtime/AppsEngineVM2Runtime.js (no Deno)',
			'RocketChat/Rocket.Chat apps/meteor/CHANGELOG.md 6.10.0-rc.0 (#31821): the Deno runtime starts with 6.10 (engine 1.43)',
		],
	},
	'1.53': {
		name: '1.53',
		version: '1.53.1',
		packageName: 'apps-engine-1.53',
		runtime: 'deno',
		denoPackage: 'deno-1.46.3-linux-x64',
		denoVersion: '1.46.3',
		shippedDeno: '1.43.5',
		runsInPlace: true,
		rocketChat: '7.8',
		serverVersion: '7.8.0',
		flavor: '7.x',
		converters: 'before-8.7',
		sources: [
			'Rocket.Chat 7.8.x release notes, "Engine versions": Apps-Engine 1.53.x, Deno 1.43.5 (from .tool-versions)',
			"RocketChat/Rocket.Chat PR #35479 (apps-engine 1.50.0): CI Deno = the Docker image's Deno",
		],
	},
	'1.59': {
		name: '1.59',
		version: '1.59.0',
		packageName: 'apps-engine-1.59',
		runtime: 'deno',
		denoPackage: 'deno-1.46.3-linux-x64',
		denoVersion: '1.46.3',
		shippedDeno: '1.43.5',
		runsInPlace: true,
		rocketChat: '8.0–8.1',
		serverVersion: '8.0.0',
		flavor: '7.x',
		converters: 'before-8.7',
		sources: [
			'npm view @rocket.chat/rest-typings@8.0.0 dependencies: @rocket.chat/apps-engine ^1.59.0',
			'Rocket.Chat 8.0.0 release notes, "Engine versions": Deno 1.43.5; the 1.59.0 package\'s deno-runtime/deno.lock is format v3 (Deno 1.x)',
			'RocketChat/Rocket.Chat packages/i18n/CHANGELOG.md 2.0.0-rc.0 (#37672): "Removes deprecated VoIP from Omnichannel" (8.0)',
		],
	},
	'1.62': {
		name: '1.62',
		version: '1.62.0',
		packageName: '@rocket.chat/apps-engine',
		runtime: 'deno',
		denoPackage: 'deno-2.3.1-linux-x64',
		denoVersion: '2.3.1',
		runsInPlace: false,
		rocketChat: '8.4',
		serverVersion: '8.4.0',
		flavor: '7.x',
		converters: 'before-8.7',
		sources: [
			'Rocket.Chat 8.4.0 release notes, "Engine versions": Apps-Engine 1.62.0, Deno 2.3.1 (RocketChat/Rocket.Chat issue #40473)',
			"the 1.62.0 package's deno-runtime/deno.lock is format v5 (Deno ≥ 2.3); 8.5–8.8 ship 1.63–1.66 on Deno 2.3.1",
		],
	},
	'1.65': {
		name: '1.65',
		version: '1.65.1',
		packageName: 'apps-engine-1.65',
		runtime: 'definitions',
		converters: '8.7+',
		serverRuntime: 'Deno 2.3.1',
		rocketChat: '8.7',
		sources: [
			'Rocket.Chat 8.7.0 release notes, "Engine versions": Apps-Engine 1.65.1 (../shared/notes/ROCKETCHAT-LINES.md)',
			'npm view @rocket.chat/apps-engine@1.65.1 files: ["definition/**"] (no server/, no deno-runtime/)',
		],
	},
	'1.66': {
		name: '1.66',
		version: '1.66.0',
		packageName: 'apps-engine-1.66',
		runtime: 'definitions',
		converters: '8.7+',
		serverRuntime: 'Node (Deno selectable with APPS_ENGINE_RUNTIME_BACKEND=deno)',
		rocketChat: '8.8',
		sources: [
			'Rocket.Chat 8.8.0 release notes, "Engine versions": Apps-Engine 1.66.0 (../shared/notes/ROCKETCHAT-LINES.md)',
			'npm view @rocket.chat/apps-engine@1.66.0 files: ["definition/**"]; dist-tag latest on 2026-12-07',
		],
	},
};

/** Every runnable engine of the table, oldest first: the engines every suite runs. */
export const ALL_ENGINES: ReadonlyArray<EngineName> = ['1.42', '1.53', '1.59', '1.62'];

/** Every definitions-only row, oldest first: type-checked against, never run. */
export const DEFINITION_ROWS: ReadonlyArray<DefinitionsName> = ['1.65', '1.66'];

/** Every row, oldest first. */
export const TABLE_NAMES: ReadonlyArray<TableName> = [...ALL_ENGINES, ...DEFINITION_ROWS];

/** The runnable rows only (what the host, the servers and the bench read): no key of a definitions row. */
export const ENGINE_TABLE: Readonly<Record<EngineName, EngineRow>> = Object.fromEntries(
	ALL_ENGINES.map((name) => [name, TABLE[name]]),
) as Record<EngineName, EngineRow>;

export function engineRow(name: EngineName): EngineRow {
	return ENGINE_TABLE[name];
}

export function tableRow(name: TableName): TableRow {
	return TABLE[name];
}

export function isRunnable(name: TableName): name is EngineName {
	return TABLE[name].runtime !== 'definitions';
}

export function isDenoEngine(name: EngineName): boolean {
	return ENGINE_TABLE[name].runtime === 'deno';
}

/** Accepts `1.59`, `1.59.0`; undefined for anything else. */
export function parseEngineName(text: string): EngineName | undefined {
	return ALL_ENGINES.find((name) => text === name || text === ENGINE_TABLE[name].version);
}
