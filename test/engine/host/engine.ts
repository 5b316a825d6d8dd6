/**
 * Loads one Apps-Engine (1.62.0 = Deno runtime, Rocket.Chat 7.x/8.x; 1.42.1 = vm2 runtime, Rocket.Chat 6.x)
 * from its own package root, so both engines are driven by the same host code.
 *
 * The two packages have the same class names under `server/`; the types used here are the 1.62 ones (a
 * superset): the 1.42 module is structurally used as if it were 1.62, and the host only calls what both have.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type * as BridgesModule from '@rocket.chat/apps-engine/server/bridges';
import type * as StorageModule from '@rocket.chat/apps-engine/server/storage';
import type * as LoggingModule from '@rocket.chat/apps-engine/server/logging';
import type { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { ConverterRevision } from '../engines';
import type { EngineName, ServerFlavor } from './types';
import { ENGINE_TABLE } from '../engines';

export interface EngineModules {
	readonly name: EngineName;
	readonly flavor: ServerFlavor;
	/** the revision of Rocket.Chat's converters the stand-in imitates (the engine row's) */
	readonly converters: ConverterRevision;
	/** the package root, e.g. node_modules/apps-engine-1.42 */
	readonly root: string;
	readonly version: string;
	readonly AppManager: typeof AppManager;
	readonly bridges: typeof BridgesModule;
	/** every class exported by a module of server/bridges/ (some, e.g. ThreadBridge, are not in the index) */
	readonly bridgeClasses: Record<string, unknown>;
	readonly storage: typeof StorageModule;
	readonly logging: typeof LoggingModule;
	readonly SlashCommandContext: typeof SlashCommandContext;
	/** where the engine checks an app's permissions (and reports a denial with console.error) */
	readonly AppPermissionManager: { notifyAboutError(err: Error): void };
}

/** the repository root (this file is test/engine/host/engine.ts) */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** test/.cache, ignored by git and by the packager's zip */
export const CACHE_DIR = path.join(REPO_ROOT, 'test', '.cache');

export function enginePackageRoot(engine: EngineName): string {
	const name = ENGINE_TABLE[engine].packageName;
	try {
		return path.dirname(require.resolve(`${name}/package.json`));
	} catch {
		return path.join(REPO_ROOT, 'node_modules', name);
	}
}

/** Loads a CommonJS module of an engine package by absolute path (a non-literal specifier: typed by the caller). */
async function loadModule<T>(file: string): Promise<T> {
	const specifier: string = file;
	return (await import(specifier)) as T;
}

const loaded = new Map<EngineName, EngineModules>();

export async function loadEngine(engine: EngineName): Promise<EngineModules> {
	const cached = loaded.get(engine);
	if (cached) {
		return cached;
	}
	const root = enginePackageRoot(engine);
	const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
	const expected = ENGINE_TABLE[engine].version;
	if (version !== expected) {
		throw new Error(`test host: ${root} holds @rocket.chat/apps-engine ${version}, expected ${expected}`);
	}
	const load = <T>(sub: string): Promise<T> => loadModule<T>(path.join(root, sub));
	const bridgeClasses: Record<string, unknown> = {};
	const bridgeDir = path.join(root, 'server', 'bridges');
	for (const file of fs.readdirSync(bridgeDir).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
		Object.assign(bridgeClasses, await loadModule<Record<string, unknown>>(path.join(bridgeDir, file)));
	}
	const modules: EngineModules = {
		name: engine,
		flavor: ENGINE_TABLE[engine].flavor,
		converters: ENGINE_TABLE[engine].converters,
		root,
		version,
		AppManager: (await load<{ AppManager: typeof AppManager }>('server/AppManager')).AppManager,
		bridges: await load<typeof BridgesModule>('server/bridges'),
		bridgeClasses,
		storage: await load<typeof StorageModule>('server/storage'),
		logging: await load<typeof LoggingModule>('server/logging'),
		SlashCommandContext: (await load<{ SlashCommandContext: typeof SlashCommandContext }>('definition/slashcommands'))
			.SlashCommandContext,
		AppPermissionManager: (
			await load<{ AppPermissionManager: EngineModules['AppPermissionManager'] }>('server/managers/AppPermissionManager')
		).AppPermissionManager,
	};
	loaded.set(engine, modules);
	return modules;
}

/** AppManager is a process-wide singleton per engine package: forget the previous one. */
export function clearAppManagerSingleton(engine: EngineModules): void {
	(engine.AppManager as unknown as { Instance?: unknown }).Instance = undefined;
}

function linkOrReplace(target: string, linkPath: string): void {
	fs.mkdirSync(path.dirname(linkPath), { recursive: true });
	let current: string | undefined;
	try {
		current = fs.readlinkSync(linkPath);
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
			// not a symlink: something else lives there, replace it
			fs.rmSync(linkPath, { recursive: true, force: true });
		}
	}
	if (current === target) {
		return;
	}
	if (current !== undefined) {
		fs.unlinkSync(linkPath);
	}
	try {
		fs.symlinkSync(target, linkPath, 'dir');
	} catch (e) {
		// another jest worker made it meanwhile
		if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || fs.readlinkSync(linkPath) !== target) {
			throw e;
		}
	}
}

/**
 * 1.42 (vm2): an app's `require('@rocket.chat/apps-engine/definition/…')` (and the definitions' own
 * `require('uuid')`) is resolved by vm2 from `<process.cwd()>/npm/node_modules/…`, the Meteor bundle layout
 * of a Rocket.Chat 6.x server. This builds that layout under test/.cache and returns the directory to chdir to.
 */
export function prepareVm2Layout(engine: EngineModules): string {
	const base = path.join(CACHE_DIR, 'engine-1.42');
	const modules = path.join(base, 'npm', 'node_modules');
	linkOrReplace(engine.root, path.join(modules, '@rocket.chat', 'apps-engine'));
	const uuidDir = [path.join(engine.root, 'node_modules', 'uuid'), path.join(REPO_ROOT, 'node_modules', 'uuid')].find((d) =>
		fs.existsSync(d),
	);
	if (uuidDir) {
		linkOrReplace(uuidDir, path.join(modules, 'uuid'));
	}
	const uiKit = [
		path.join(REPO_ROOT, 'node_modules', 'ui-kit-0.31'),
		path.join(REPO_ROOT, 'node_modules', '@rocket.chat', 'ui-kit'),
	].find((d) => fs.existsSync(d));
	if (uiKit) {
		linkOrReplace(uiKit, path.join(modules, '@rocket.chat', 'ui-kit'));
	}
	return base;
}

/** 1.62 links its deno-runtime folder into `tempFilePath` and lets the Deno process read there (1.5x do not use it). */
export function prepareTempFilePath(engine: EngineName): string {
	const dir = path.join(CACHE_DIR, `engine-${engine}`, 'tmp');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}
