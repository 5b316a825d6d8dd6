export type Clock = () => number;

export interface RateLimitDecision {
	readonly allowed: boolean;
	/** Headers Rocket.Chat sends on rate-limited routes. */
	readonly headers: Record<string, string>;
	/** Whole seconds until the window ends (for the 429 message). */
	readonly waitSeconds: number;
}

interface Window {
	readonly start: number;
	count: number;
}

/**
 * Fixed-window counter per caller, in this app instance's memory (as the core's limiter was). Every hit counts,
 * refused ones too. Windows are kept in a Map in start order (a new window is re-inserted at the end), so the
 * expired ones are always at the front and leave as soon as they expire: memory stays bounded by the callers
 * seen within one window.
 */
export class RateLimiter {
	private readonly windows = new Map<string, Window>();

	constructor(private readonly clock: Clock = Date.now) {}

	/** Callers currently tracked (for tests and diagnostics). */
	public get size(): number {
		return this.windows.size;
	}

	public hit(caller: string, limit: number, windowMs: number): RateLimitDecision | undefined {
		if (limit <= 0) {
			return undefined;
		}
		const now = this.clock();
		this.evictExpired(now, windowMs);
		let window = this.windows.get(caller);
		if (!window || !isCurrent(window, now, windowMs)) {
			// A fresh window, at the end of the map. (Eviction keeps expired windows out, but only from the front:
			// after the wall clock stepped back, an expired one may sit behind a newer one; it must not count.)
			this.windows.delete(caller);
			window = { start: now, count: 0 };
			this.windows.set(caller, window);
		}
		window.count += 1;
		const reset = window.start + windowMs;
		return {
			allowed: window.count <= limit,
			headers: {
				'X-RateLimit-Limit': String(limit),
				'X-RateLimit-Remaining': String(Math.max(0, limit - window.count)),
				'X-RateLimit-Reset': String(reset),
			},
			waitSeconds: Math.max(1, Math.ceil((reset - now) / 1000)),
		};
	}

	private evictExpired(now: number, windowMs: number): void {
		for (const [caller, window] of this.windows) {
			if (isCurrent(window, now, windowMs)) {
				return;
			}
			this.windows.delete(caller);
		}
	}
}

/** Started, and not yet over. A window that starts after `now` is from before the wall clock stepped back: over. */
function isCurrent(window: Window, now: number, windowMs: number): boolean {
	return window.start <= now && now < window.start + windowMs;
}
