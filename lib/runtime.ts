import { KeyedLock } from './keyedLock';
import type { Clock } from './rateLimit';
import { RateLimiter } from './rateLimit';
import type { VoipRoomConfig } from './settings';
import { applySetting, defaultConfig } from './settings';

/**
 * What lives for as long as the app instance: the configuration (read once, kept current through
 * onSettingUpdated), the rate limiter (a bucket per route and caller), the per-visitor creation lock and the
 * per-room close lock.
 */
export class VoipRoomRuntime {
	public readonly limiter: RateLimiter;
	/** serializes room creation per visitor token */
	public readonly lock = new KeyedLock();
	/** serializes closes per room id */
	public readonly roomLock = new KeyedLock();
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
