/**
 * State shared by the host's bridges, and the instrumentation every bridge is wrapped in:
 * call/read counting, fault injection and a clear error for what this stand-in does not implement.
 */
import * as crypto from 'crypto';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type { ISlashCommand } from '@rocket.chat/apps-engine/definition/slashcommands';
import { RcConverters } from './converters';
import type { EngineModules } from './engine';
import type { CapturedMessage, EngineName, FaultMode, RcData, ServerFlavor } from './types';

export interface RegisteredApi {
	appId: string;
	path: string;
	authRequired: boolean;
	computedPath: string;
	/** as the app declared them: the API's visibility and security, the endpoint's methods and examples */
	visibility?: number;
	security?: number;
	methods?: Array<string>;
	examples?: Record<string, unknown>;
}

export interface HostContext {
	readonly engineName: EngineName;
	readonly flavor: ServerFlavor;
	readonly engine: EngineModules;
	readonly db: RcData;
	readonly converters: RcConverters;
	/** set once the AppManager exists */
	manager?: AppManager;
	readonly messages: CapturedMessage[];
	/** appId -> path -> endpoint registration (what the server's router would mount) */
	readonly apis: Map<string, Map<string, RegisteredApi>>;
	/** command -> registration */
	readonly commands: Map<string, { appId: string; command: ISlashCommand; enabled: boolean }>;
	/** counting is on once the install is over: only what the app causes is counted */
	counting: boolean;
	readonly reads: Map<string, number>;
	readonly calls: Map<string, number>;
	readonly faults: Map<string, { mode: FaultMode; remaining: number }>;
	/**
	 * `<bridge>.<method>` -> a hook awaited before each such call (tests hold a call until they release it);
	 * `'*'`: before every call that has no hook of its own (it gets the key too)
	 */
	readonly holds: Map<string, (args: unknown[], key: string) => Promise<void> | void>;
	/** the server instance is gone (a cluster test killed it): no call of its bridges ever takes effect or answers */
	down: boolean;
	/** bumped when the instance's runtime is killed: calls it had in flight (held) never take effect nor answer */
	generation: number;
	/** permission denials the engine reported */
	readonly denied: Array<{ message: string; missing: string[] }>;
	newId(): string;
}

const UNMISTAKABLE_CHARS = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/** Meteor's Random.id(): 17 characters of the unmistakable alphabet, as Rocket.Chat's ids. */
export function randomId(length = 17): string {
	const bytes = crypto.randomBytes(length);
	let id = '';
	for (let i = 0; i < length; i++) {
		id += UNMISTAKABLE_CHARS[bytes[i] % UNMISTAKABLE_CHARS.length];
	}
	return id;
}

export function createContext(engine: EngineModules, db: RcData): HostContext {
	if (!db.messages) {
		db.messages = [];
	}
	if (!db.appsPersistence) {
		db.appsPersistence = [];
	}
	return {
		engineName: engine.name,
		flavor: engine.flavor,
		engine,
		db,
		converters: new RcConverters(db, engine.flavor, engine.converters),
		messages: [],
		apis: new Map(),
		commands: new Map(),
		counting: false,
		reads: new Map(),
		calls: new Map(),
		faults: new Map(),
		holds: new Map(),
		down: false,
		generation: 0,
		denied: [],
		newId: () => randomId(),
	};
}

/**
 * A point inside the server's own work where Rocket.Chat awaits (a read between a check and its write): a hold set
 * for `key` (or `'*'`, so that delays injected in every bridge call apply here too) is awaited. The server goes on
 * when the app's runtime dies (a Deno subprocess killed); a server instance that is gone (`down`) never goes on.
 */
export async function serverPause(ctx: HostContext, key: string, args: unknown[]): Promise<void> {
	const hold = ctx.holds.get(key) || ctx.holds.get('*');
	if (hold) {
		await hold(args, key);
	}
	if (ctx.down) {
		await new Promise<never>(() => undefined);
	}
}

const READ_PREFIXES = ['get', 'find', 'count', 'is', 'read', '_fetch'];

function lcFirst(value: string): string {
	return value.charAt(0).toLowerCase() + value.slice(1);
}

/** 'doGetById' -> 'getById' */
export function bridgeMethodName(doMethod: string): string {
	return lcFirst(doMethod.slice(2));
}

export function isReadMethod(method: string): boolean {
	return READ_PREFIXES.some((prefix) => method.startsWith(prefix));
}

/** Instantiates an abstract subclass of an engine bridge: what it leaves abstract throws "not implemented" (see instrumentBridge). */
export function instantiate<T>(cls: abstract new () => T): T {
	return new (cls as unknown as new () => T)();
}

export function notImplemented(what: string): Error {
	return new Error(`not implemented in test host: ${what}`);
}

function bump(counter: Map<string, number>, key: string): void {
	counter.set(key, (counter.get(key) || 0) + 1);
}

/** Properties that generic code probes on any object; never synthesize a thrower for them. */
const NEVER_SYNTHESIZE = new Set(['then', 'catch', 'toJSON', 'constructor', 'inspect', 'asymmetricMatch', 'nodeType', '$$typeof']);

/**
 * Wraps a bridge (an instance of a subclass of the engine's own bridge class) so that:
 * - every `do*` call the engine makes on the app's behalf is counted (`<bridge>.<method>`, e.g.
 *   'room.getById'), reads separately, once the install is over;
 * - a fault set for `<bridge>.<method>` makes that call throw, or answer undefined or false;
 * - a hold set for `<bridge>.<method>` (or `'*'`) is awaited before that call (it sees the call's arguments);
 * - once the instance is down, no call answers or takes effect (a held call released later neither);
 * - an abstract method this host does not implement throws "not implemented in test host: <bridge>.<method>"
 *   instead of "this.x is not a function".
 * The engine's own `do*` methods (and so its permission checks) still run, with `this` = the proxy.
 */
export function instrumentBridge<T extends object>(bridge: T, bridgeName: string, ctx: HostContext): T {
	return new Proxy(bridge, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver) as unknown;
			if (typeof prop !== 'string' || NEVER_SYNTHESIZE.has(prop)) {
				return value;
			}
			if (
				typeof value === 'function' &&
				prop.startsWith('do') &&
				prop.length > 2 &&
				prop.charAt(2) === prop.charAt(2).toUpperCase()
			) {
				const method = bridgeMethodName(prop);
				const key = `${bridgeName}.${method}`;
				const original = value as (...args: unknown[]) => unknown;
				return function instrumented(this: unknown, ...args: unknown[]): unknown {
					if (ctx.counting) {
						bump(ctx.calls, key);
						if (isReadMethod(method)) {
							bump(ctx.reads, key);
						}
					}
					const self = this === undefined ? receiver : this;
					const proceed = (): unknown => {
						const fault = ctx.faults.get(key);
						if (fault && fault.remaining !== 0) {
							fault.remaining -= 1;
							if (fault.mode === 'throw') {
								throw new Error(`fault injected by test host: ${key}`);
							}
							return fault.mode === 'false' ? false : undefined;
						}
						return original.apply(self, args);
					};
					const lost = (): Promise<never> => new Promise<never>(() => undefined);
					if (ctx.down) {
						return lost();
					}
					const hold = ctx.holds.get(key) || ctx.holds.get('*');
					if (!hold) {
						return proceed();
					}
					const generation = ctx.generation;
					return Promise.resolve(hold(args, key)).then(() => (ctx.down || ctx.generation !== generation ? lost() : proceed()));
				};
			}
			if (typeof value === 'undefined' && !(prop in target)) {
				const doName = `do${prop.charAt(0).toUpperCase()}${prop.slice(1)}`;
				if (typeof Reflect.get(target, doName) === 'function' || prop.startsWith('do')) {
					return (): never => {
						throw notImplemented(`${bridgeName}.${prop.startsWith('do') ? bridgeMethodName(prop) : prop}`);
					};
				}
			}
			return value;
		},
	});
}
