/**
 * Bridges the app under test does not use: a subclass of the engine's own class (so `instanceof` and the
 * engine's permission checks hold) whose every method throws "not implemented in test host: <bridge>.<method>".
 * A bridge class the engine does not ship (e.g. ContactBridge on 1.42) becomes a plain throwing object.
 */
import type { HostContext } from '../context';
import { instrumentBridge, notImplemented } from '../context';

export function loadBridgeClass(ctx: HostContext, className: string): (new () => object) | undefined {
	const found = ctx.engine.bridgeClasses[className];
	return typeof found === 'function' ? (found as new () => object) : undefined;
}

export function createUnimplementedBridge<T>(ctx: HostContext, bridgeName: string, className: string): T {
	const Base = loadBridgeClass(ctx, className);
	if (!Base) {
		return new Proxy(
			{},
			{
				get(_target, prop) {
					if (typeof prop !== 'string' || prop === 'then' || prop === 'toJSON') {
						return undefined;
					}
					return (): never => {
						throw notImplemented(`${bridgeName}.${prop}`);
					};
				},
			},
		) as T;
	}
	class Unimplemented extends Base {}
	return instrumentBridge(new Unimplemented(), bridgeName, ctx) as unknown as T;
}
