/**
 * Setting changes of an app (Rocket.Chat broadcasts them to its cluster); nothing to do in a test host.
 */
import type { AppDetailChangesBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';

export function createAppDetailChangesBridge(ctx: HostContext): AppDetailChangesBridge {
	const Base = ctx.engine.bridges.AppDetailChangesBridge as unknown as new () => AppDetailChangesBridge;

	abstract class HostAppDetailChangesBridge extends Base {
		protected onAppSettingsChange(): void {}
	}

	return instrumentBridge(instantiate(HostAppDetailChangesBridge), 'appDetailChanges', ctx);
}
