/**
 * Several Rocket.Chat instances of one workspace, each with its own AppManager and its own app runtime (its own
 * Deno subprocess, or its own vm2 sandbox on 1.42), sharing one store: rooms, visitors, users, messages and the
 * apps' persistence, as a cluster's instances share one MongoDB.
 *
 *   const cluster = await startCluster({ engine: '1.62', zipPath, data, instances: 3 });
 *   await cluster.instances[1].call('voip/room', { query, userId });
 *   await cluster.kill(2); // that instance's app runtime dies (Deno: SIGKILL; vm2: the whole instance is gone)
 *   await cluster.stop();
 *
 * Several AppManagers in one process: the engine allows one at a time (`AppManager.Instance`; the constructor
 * refuses a second), so the singleton is cleared before each is made. The engine reads `AppManager.Instance` at
 * call time in one place only, its permission check (`getPermissionsByAppId` → `Instance.getPermissionsById`,
 * server/AppManager.js of 1.42.1 and 1.62.0); every instance installs the same app with the same grants, so the
 * last manager made answers for all of them, and it stays installed until the cluster stops. Everything else the
 * engine keeps per manager (apps, runtimes, bridges, API and command registries, settings); on Deno engines each
 * manager spawns its own subprocess for the app.
 *
 * Where this differs from a real cluster, on purpose:
 * - each instance installs the package itself into its own metadata storage (a cluster's instances load it from
 *   the shared `rocketchat_apps` collection); `setSetting` changes every instance, as Rocket.Chat's setting
 *   propagation does;
 * - the app's log storage is per instance (Rocket.Chat: one collection).
 */
import type { HostContext } from './context';
import { createContext } from './context';
import { clearAppManagerSingleton, loadEngine } from './engine';
import type { HostImpl } from './index';
import { claimEngine, newAppManager, newHostInstance, prepareProcess } from './index';
import { createStorages } from './storage';
import type { EngineName, Host, RcData } from './types';
import { isDenoEngine } from '../engines';

export interface ClusterOptions {
	engine: EngineName;
	zipPath: string;
	/** the shared store; every instance reads and writes this very object */
	data: RcData;
	instances: number;
	/** per-request timeout of each runtime (Deno: APPS_ENGINE_RUNTIME_TIMEOUT), default 30000 */
	runtimeTimeoutMs?: number;
	logRetention?: number;
}

export interface Cluster {
	readonly engine: EngineName;
	readonly db: RcData;
	/** one Host per instance: its own counters, faults and holds, its own app runtime */
	readonly instances: ReadonlyArray<Host>;
	/** changes a setting on every instance (Rocket.Chat propagates an app setting change to all of them) */
	setSetting(id: string, value: unknown): Promise<void>;
	/**
	 * The instance's app runtime dies now: on Deno engines its subprocess gets SIGKILL (the engine restarts it, as on
	 * a server), on 1.42 (the app runs inside the server process) the whole instance is gone and refuses calls. Either
	 * way, the bridge calls the instance had in flight (held ones included) never take effect nor answer: as if the
	 * runtime died before the server got them.
	 */
	kill(index: number): Promise<void>;
	/** stops every instance (removes the app from each), kills every subprocess, gives the process back */
	stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
	if (!(options.instances >= 1)) {
		throw new Error('test host: a cluster needs at least one instance');
	}
	const releaseEngine = claimEngine(options.engine, 'cluster');
	const modules = await loadEngine(options.engine).catch((e: unknown) => {
		releaseEngine();
		throw e;
	});
	const contexts: Array<HostContext> = Array.from({ length: options.instances }, () => createContext(modules, options.data));
	let prepared: Awaited<ReturnType<typeof prepareProcess>>;
	try {
		prepared = await prepareProcess(modules, contexts);
	} catch (e) {
		releaseEngine();
		throw e;
	}
	const instances: Array<HostImpl> = [];
	const stopAll = async (): Promise<void> => {
		try {
			// the last one made is AppManager.Instance (the permission checks): it goes last
			for (const instance of instances) {
				await instance.stop().catch(() => undefined);
			}
		} finally {
			clearAppManagerSingleton(modules);
			releaseEngine();
			prepared.restore();
		}
	};
	try {
		for (const ctx of contexts) {
			const storages = createStorages(modules, { logRetention: options.logRetention });
			const manager = newAppManager(modules, ctx, storages, prepared.tempFilePath);
			const instance = newHostInstance(options.engine, modules, ctx, manager, storages, () => undefined);
			instances.push(instance);
			await instance.install(options.zipPath, options.runtimeTimeoutMs);
		}
	} catch (e) {
		await stopAll();
		throw e;
	}

	let stopped = false;
	return {
		engine: options.engine,
		db: options.data,
		instances,
		async setSetting(id, value) {
			for (const instance of instances) {
				await instance.setSetting(id, value);
			}
		},
		async kill(index) {
			const instance = instances[index];
			const ctx = contexts[index];
			if (!instance || !ctx) {
				throw new Error(`test host: no instance ${index}`);
			}
			// what the dead runtime had asked for and not received is lost with it
			ctx.generation += 1;
			if (isDenoEngine(options.engine)) {
				const pid = instance.runtimePid();
				if (pid === undefined) {
					throw new Error('test host: the instance has no Deno subprocess to kill');
				}
				process.kill(pid, 'SIGKILL');
				// the server itself lives on: its calls work again once the runtime is gone (the engine restarts it)
				await waitUntil(() => instance.runtimePid() !== pid, 20000);
			} else {
				ctx.down = true;
				instance.down = true;
			}
		},
		async stop() {
			if (stopped) {
				return;
			}
			stopped = true;
			contexts.forEach((ctx) => {
				ctx.down = false;
			});
			instances.forEach((instance) => {
				instance.down = false;
			});
			await stopAll();
		},
	};
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) {
			throw new Error('test host: the engine did not replace the killed runtime');
		}
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
