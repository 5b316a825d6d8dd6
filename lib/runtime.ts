import { DEFAULT_LIMITS } from './coordinate';
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
	/** serializes room creation per visitor token; a request stuck in a server call keeps it one claim lease at most */
	public readonly lock = new KeyedLock({ holdMs: DEFAULT_LIMITS.leaseMs });
	/** serializes closes per room id; a request stuck in a server call keeps it one claim lease at most */
	public readonly roomLock = new KeyedLock({ holdMs: DEFAULT_LIMITS.leaseMs });
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
