/**
 * The scheduler: the engine cancels an app's jobs when it removes the app; scheduling itself is not
 * something the app under test does, so it is left unimplemented.
 */
import type { SchedulerBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';

export function createSchedulerBridge(ctx: HostContext): SchedulerBridge {
	const Base = ctx.engine.bridges.SchedulerBridge as unknown as new () => SchedulerBridge;

	abstract class HostSchedulerBridge extends Base {
		protected async cancelAllJobs(): Promise<void> {}
	}

	return instrumentBridge(instantiate(HostSchedulerBridge), 'scheduler', ctx);
}
