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
	public readonly lock = new KeyedLock();
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
