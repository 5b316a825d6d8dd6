/**
 * A look inside the app instance, for what no request can show: how many callers the rate limiter tracks.
 * Only on 1.42, where the app runs in this process (vm2); on 1.62 it lives in a Deno subprocess.
 * Reads private fields of the host and of the app (`runtime.limiter`): if either is renamed, this fails loudly.
 */
import { isDenoEngine } from '../engine/engines';
import type { Host } from '../engine/host';

interface WithManager {
	manager?: { getOneById(appId: string): { getApp?: () => unknown } | undefined };
}

interface AppWithRuntime {
	runtime?: { limiter?: { size?: unknown } };
}

export function limiterSize(host: Host): number {
	if (isDenoEngine(host.engine)) {
		throw new Error('limiterSize: the app instance is only reachable on an in-process engine (1.42)');
	}
	const manager = (host as unknown as WithManager).manager;
	const proxied = manager && manager.getOneById(host.appId);
	const app = (proxied && typeof proxied.getApp === 'function' ? proxied.getApp() : undefined) as AppWithRuntime | undefined;
	const size = app && app.runtime && app.runtime.limiter ? app.runtime.limiter.size : undefined;
	if (typeof size !== 'number') {
		throw new Error('limiterSize: no app.runtime.limiter.size (did the host or the app rename it?)');
	}
	return size;
}
