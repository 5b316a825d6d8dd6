/**
 * The app's REST endpoints, as Rocket.Chat's AppApisBridge: registering an endpoint mounts it under
 * /api/apps/public/{appId}/{path}; unregistering drops the app's router. The host's `call` (and the HTTP
 * server) dispatch only to what is registered here.
 */
import type { ApiBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { AppApi } from '@rocket.chat/apps-engine/server/managers/AppApi';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';

const HTTP_METHODS = ['get', 'post', 'put', 'delete', 'head', 'options', 'patch'];

/** The methods the endpoint implements: 1.62 computes them (`_availableMethods`), 1.42 hands over the endpoint itself. */
function implementedMethods(endpoint: AppApi['endpoint']): Array<string> {
	const declared = (endpoint as { _availableMethods?: Array<string> })._availableMethods;
	if (Array.isArray(declared)) {
		return [...declared];
	}
	const methods = endpoint as unknown as Record<string, unknown>;
	return HTTP_METHODS.filter((method) => typeof methods[method] === 'function');
}

export function createApiBridge(ctx: HostContext): ApiBridge {
	const Base = ctx.engine.bridges.ApiBridge as unknown as new () => ApiBridge;

	abstract class HostApiBridge extends Base {
		protected async registerApi({ api, computedPath, endpoint }: AppApi, appId: string): Promise<void> {
			if (typeof api !== 'object' || !endpoint || typeof endpoint.path !== 'string') {
				throw new Error('Invalid Api parameter provided, it must be a valid IApi object.');
			}
			let routes = ctx.apis.get(appId);
			if (!routes) {
				routes = new Map();
				ctx.apis.set(appId, routes);
			}
			const path = endpoint.path.trim().replace(/^\//, '');
			routes.set(path, {
				appId,
				path,
				authRequired: !!endpoint.authRequired,
				computedPath,
				visibility: api.visibility,
				security: api.security,
				methods: implementedMethods(endpoint),
				examples: endpoint.examples,
			});
		}

		protected async unregisterApis(appId: string): Promise<void> {
			ctx.apis.delete(appId);
		}
	}

	return instrumentBridge(instantiate(HostApiBridge), 'api', ctx);
}
