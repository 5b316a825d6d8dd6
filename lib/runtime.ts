import { DEFAULT_LIMITS } from './clusterCreate';
import { KeyedLock } from './keyedLock';
import type { Clock } from './rateLimit';
import { RateLimiter } from './rateLimit';
import type { VoipRoomConfig } from './settings';
import { applySetting, defaultConfig } from './settings';

/**
 * What lives for as long as the app instance: the configuration (read once, kept current through
 * onSettingUpdated), the per-caller limiter and the per-visitor creation lock.
 */
export class VoipRoomRuntime {
	public readonly limiter: RateLimiter;
	/** A request stuck in a server call keeps its visitor's lock for one claim lease at most. */
	public readonly lock = new KeyedLock({ holdMs: DEFAULT_LIMITS.leaseMs });
	private current: VoipRoomConfig = defaultConfig;

	constructor(clock?: Clock) {
		this.limiter = new RateLimiter(clock);
	}

	public get config(): VoipRoomConfig {
		return this.current;
	}

	public apply(id: string, value: unknown): void {
		this.current = applySetting(this.current, id, value);
	}
}
