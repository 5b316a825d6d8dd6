import { describe, expect, it } from '@jest/globals';

import { RateLimiter } from '../../lib/rateLimit';

function clockAt(start: number): { now: () => number; advance: (ms: number) => void } {
	let time = start;
	return { now: () => time, advance: (ms) => (time += ms) };
}

describe('RateLimiter', () => {
	it('allows the limit, then refuses, with the headers Rocket.Chat sends', () => {
		const clock = clockAt(1_000_000);
		const limiter = new RateLimiter(clock.now);
		const seen = [1, 2, 3].map(() => limiter.hit('u1', 2, 60000));
		expect(seen.map((d) => d && d.allowed)).toEqual([true, true, false]);
		expect(seen.map((d) => d && d.headers)).toEqual([
			{ 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': '1060000' },
			{ 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1060000' },
			{ 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1060000' },
		]);
		clock.advance(20500);
		const later = limiter.hit('u1', 2, 60000);
		expect(later && later.allowed).toBe(false);
		expect(later && later.waitSeconds).toBe(40);
	});

	it('resets when the window ends', () => {
		const clock = clockAt(0);
		const limiter = new RateLimiter(clock.now);
		limiter.hit('u1', 1, 1000);
		expect(limiter.hit('u1', 1, 1000)?.allowed).toBe(false);
		clock.advance(999);
		expect(limiter.hit('u1', 1, 1000)?.allowed).toBe(false);
		clock.advance(1);
		const fresh = limiter.hit('u1', 1, 1000);
		expect(fresh && fresh.allowed).toBe(true);
		expect(fresh && fresh.headers['X-RateLimit-Reset']).toBe('2000');
	});

	it('keeps callers apart', () => {
		const limiter = new RateLimiter(clockAt(0).now);
		expect(limiter.hit('a', 1, 1000)?.allowed).toBe(true);
		expect(limiter.hit('a', 1, 1000)?.allowed).toBe(false);
		expect(limiter.hit('b', 1, 1000)?.allowed).toBe(true);
	});

	it('is off at 0', () => {
		const limiter = new RateLimiter(clockAt(0).now);
		expect(limiter.hit('a', 0, 1000)).toBeUndefined();
		expect(limiter.size).toBe(0);
	});

	it('forgets callers whose window ended: memory stays bounded with 100,000 callers', () => {
		const clock = clockAt(0);
		const limiter = new RateLimiter(clock.now);
		for (let i = 0; i < 100000; i++) {
			limiter.hit(`caller-${i}`, 5, 1000);
			clock.advance(1);
		}
		// Only the callers of the last window (1000 ms, one caller per ms) are still tracked.
		expect(limiter.size).toBe(1000);
		clock.advance(1000);
		limiter.hit('late', 5, 1000);
		expect(limiter.size).toBe(1);
	});
});
