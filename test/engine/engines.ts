/**
 * The engines the tests run the app on: one row each. Everything engine-specific (which package, which runtime,
 * which Deno, which generation of Rocket.Chat's converters) is read from here; adding an engine is adding a row
 * (and its npm alias in package.json).
 *
 * Sources of the mapping Rocket.Chat line → apps-engine → Deno are in each row's `sources`.
 */

/** The short name a suite, `npm start -- --engine` and the bench use. */
export type EngineName = '1.42' | '1.53' | '1.59' | '1.62';

/** Which generation of Rocket.Chat's converters/bridges to imitate: 6.x (engine < 1.46) or 7.x/8.x. */
export type ServerFlavor = '6.x' | '7.x';

export interface EngineRow {
	readonly name: EngineName;
	/** the exact @rocket.chat/apps-engine version */
	readonly version: string;
	/** the npm package (or alias) that holds it in node_modules */
	readonly packageName: string;
	/** where the app runs: in the Node process (vm2) or in a Deno subprocess */
	readonly runtime: 'vm2' | 'deno';
	/** Deno: the npm package (or alias) of the Deno binary that runs this engine's deno-runtime */
	readonly denoPackage?: string;
	/** Deno: its version, as Rocket.Chat's .tool-versions pins it for the lines that ship this engine */
	readonly denoVersion?: string;
	/**
	 * Deno: whether the engine runs `deno-runtime/main.ts` in place under node_modules (1.5x) or copies it to the
	 * `tempFilePath` first (1.62+).
	 */
	readonly runsInPlace?: boolean;
	/** the Rocket.Chat release lines that ship this engine */
	readonly rocketChat: string;
	readonly flavor: ServerFlavor;
	/** where the mapping was read */
	readonly sources: ReadonlyArray<string>;
}

export const ENGINE_TABLE: Readonly<Record<EngineName, EngineRow>> = {
	'1.42': {
		name: '1.42',
		version: '1.42.1',
		packageName: 'apps-engine-1.42',
		runtime: 'vm2',
		rocketChat: '6.x',
		flavor: '6.x',
		sources: [],
	},
	'1.53': {
		name: '1.53',
		version: '1.53.1',
		packageName: 'apps-engine-1.53',
		runtime: 'deno',
		denoPackage: 'deno-1.46',
		denoVersion: '1.46.3',
		runsInPlace: true,
		rocketChat: '7.x',
		flavor: '7.x',
		sources: [],
	},
	'1.59': {
		name: '1.59',
		version: '1.59.0',
		packageName: 'apps-engine-1.59',
		runtime: 'deno',
		denoPackage: 'deno-1.46',
		denoVersion: '1.46.3',
		runsInPlace: true,
		rocketChat: '8.0',
		flavor: '7.x',
		sources: [],
	},
	'1.62': {
		name: '1.62',
		version: '1.62.0',
		packageName: '@rocket.chat/apps-engine',
		runtime: 'deno',
		denoPackage: 'deno',
		denoVersion: '2.9.6',
		runsInPlace: false,
		rocketChat: '8.x',
		flavor: '7.x',
		sources: [],
	},
};

/** Every engine of the table, oldest first. */
export const ALL_ENGINES: ReadonlyArray<EngineName> = ['1.42', '1.53', '1.59', '1.62'];

export function engineRow(name: EngineName): EngineRow {
	return ENGINE_TABLE[name];
}

export function isDenoEngine(name: EngineName): boolean {
	return ENGINE_TABLE[name].runtime === 'deno';
}

/** Accepts `1.59`, `1.59.0`; undefined for anything else. */
export function parseEngineName(text: string): EngineName | undefined {
	return ALL_ENGINES.find((name) => text === name || text === ENGINE_TABLE[name].version);
}
