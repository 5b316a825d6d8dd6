/**
 * The Deno engines' liveness check, made faster for tests that have to wait for the engine to restart an app.
 *
 * Each Deno engine gives every app's subprocess a `LivenessManager` (server/runtime/deno/LivenessManager.js):
 * it pings the subprocess, and after `consecutiveTimeoutLimit` pings without an answer it kills and restarts it.
 * Its defaults (1.53.1, 1.59.0, 1.62.0): a ping every 10 s, 1 s to answer, restart after 4 missed pings. The
 * engine builds it with `new LivenessManager({ controller, messenger, debug })`, no options: no environment
 * variable or setting changes them, so Rocket.Chat always runs the defaults (unlike APPS_ENGINE_RUNTIME_TIMEOUT,
 * which Rocket.Chat reads from the environment). The class does take options (its second constructor parameter,
 * merged over the defaults); this host feeds them in while it installs an app, and only when a test asks.
 *
 * How: while `install` runs, the class' prototype gets an `options` setter, so the constructor's own
 * `this.options = Object.assign({}, defaultOptions, options)` stores the merged options with the test's timings
 * over them (the engine's own merge and its own code paths otherwise). The setter is removed afterwards; the app's
 * manager keeps its options across restarts (the engine re-attaches the same manager to the new subprocess).
 */
import * as path from 'path';

import type { EngineModules } from './engine';

export interface LivenessTimings {
	/** how often the engine pings the app's subprocess (default 10000) */
	pingIntervalMs: number;
	/** how long a ping may take (default 1000) */
	pingTimeoutMs: number;
	/** missed pings in a row before the engine restarts the subprocess (default 4) */
	consecutiveTimeouts: number;
}

/** Each timing, and the option names engines have used for it (1.53.1 | 1.59.0 and 1.62.0). */
const OPTION_NAMES: ReadonlyArray<[keyof LivenessTimings, ReadonlyArray<string>]> = [
	['pingIntervalMs', ['pingIntervalInMS', 'pingFrequencyInMS']],
	['pingTimeoutMs', ['pingTimeoutInMS', 'pingRequestTimeout']],
	['consecutiveTimeouts', ['consecutiveTimeoutLimit']],
];

interface LivenessManagerClass {
	prototype: object;
}

async function loadLivenessManager(modules: EngineModules): Promise<LivenessManagerClass> {
	const specifier: string = path.join(modules.root, 'server', 'runtime', 'deno', 'LivenessManager.js');
	const loaded = (await import(specifier)) as { LivenessManager?: LivenessManagerClass };
	if (!loaded.LivenessManager) {
		throw new Error(`test host: ${specifier} exports no LivenessManager (engine ${modules.version})`);
	}
	return loaded.LivenessManager;
}

/** The engine's merged options with the test's timings in place of the defaults; throws if a name is unknown. */
export function tuneOptions(engineOptions: Record<string, unknown>, timings: LivenessTimings): Record<string, unknown> {
	const tuned = { ...engineOptions };
	for (const [timing, names] of OPTION_NAMES) {
		const name = names.find((candidate) => Object.prototype.hasOwnProperty.call(engineOptions, candidate));
		if (!name) {
			throw new Error(
				`test host: the engine's LivenessManager has no option ${names.join(' or ')} (it has ${Object.keys(engineOptions).join(', ')}): ` +
					'update test/engine/host/liveness.ts',
			);
		}
		tuned[name] = timings[timing];
	}
	return tuned;
}

/**
 * Runs `install` with the engine's LivenessManager constructed with `timings`; throws when the install built no
 * LivenessManager through the merge this relies on (an engine that changed how it stores its options).
 */
export async function withLivenessTimings<T>(modules: EngineModules, timings: LivenessTimings, install: () => Promise<T>): Promise<T> {
	const proto = (await loadLivenessManager(modules)).prototype;
	if (Object.prototype.hasOwnProperty.call(proto, 'options')) {
		throw new Error('test host: LivenessManager.prototype already has "options" (another install is tuning it)');
	}
	let tunedManagers = 0;
	Object.defineProperty(proto, 'options', {
		configurable: true,
		set(this: object, value: Record<string, unknown>) {
			Object.defineProperty(this, 'options', {
				value: tuneOptions(value, timings),
				writable: true,
				enumerable: true,
				configurable: true,
			});
			tunedManagers += 1;
		},
	});
	let result: T;
	try {
		result = await install();
	} finally {
		delete (proto as { options?: unknown }).options;
	}
	if (tunedManagers === 0) {
		throw new Error(`test host: installing on engine ${modules.version} built no LivenessManager with tunable options`);
	}
	return result;
}
