/**
 * App lifecycle notifications (Rocket.Chat tells its clients); nothing to do in a test host.
 */
import type { AppActivationBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';

export function createAppActivationBridge(ctx: HostContext): AppActivationBridge {
	const Base = ctx.engine.bridges.AppActivationBridge as unknown as new () => AppActivationBridge;

	abstract class HostAppActivationBridge extends Base {
		protected async appAdded(): Promise<void> {}

		protected async appUpdated(): Promise<void> {}

		protected async appRemoved(): Promise<void> {}

		protected async appStatusChanged(): Promise<void> {}

		protected async actionsChanged(): Promise<void> {}
	}

	return instrumentBridge(instantiate(HostAppActivationBridge), 'appActivation', ctx);
}
