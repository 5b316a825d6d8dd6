import { describe, expect, it } from '@jest/globals';

import { KeyedLock, LockTimeoutError } from '../../lib/keyedLock';
import { ManualTiming } from './manualTiming';

function deferred(): { promise: Promise<void>; resolve: () => void } {
	let resolve: () => void = () => undefined;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}

describe('KeyedLock', () => {
	it('runs tasks of one key one after the other, and other keys meanwhile', async () => {
		const lock = new KeyedLock();
		const order: Array<string> = [];
		const gate = deferred();
		const first = lock.run('a', async () => {
			order.push('a1 start');
			await gate.promise;
			order.push('a1 end');
		});
		const second = lock.run('a', async () => {
			order.push('a2');
		});
		await lock.run('b', async () => {
			order.push('b');
		});
		expect(order).toEqual(['a1 start', 'b']);
		gate.resolve();
		await Promise.all([first, second]);
		expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
	});

	it('goes on after a failing task and forgets settled keys', async () => {
		const lock = new KeyedLock();
		await expect(lock.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		await expect(lock.run('a', async () => 42)).resolves.toBe(42);
		await new Promise((r) => setImmediate(r));
		expect(lock.size).toBe(0);
	});
});

describe('KeyedLock timeouts', () => {
	it('passes the key on after holdMs while the task still runs; the late task still settles for its caller', async () => {
		const timing = new ManualTiming();
		const lock = new KeyedLock({ holdMs: 1000, timing });
		const stuck = deferred();
		const order: Array<string> = [];
		const first = lock.run('a', async () => {
			order.push('first start');
			await stuck.promise;
			order.push('first end');
			return 1;
		});
		const second = lock.run('a', async ({ waited }) => {
			order.push(`second start (waited: ${waited})`);
			return 2;
		});
		await timing.advance(999);
		expect(order).toEqual(['first start']);
		await timing.advance(1);
		expect(order).toEqual(['first start', 'second start (waited: true)']);
		await expect(second).resolves.toBe(2);
		stuck.resolve();
		await expect(first).resolves.toBe(1);
		expect(order).toEqual(['first start', 'second start (waited: true)', 'first end']);
		expect([lock.size, timing.pendingTimers]).toEqual([0, 0]);
	});

	it('a waiter gives up after waitMs with the time left of the holder, never runs, and does not delay the next', async () => {
		const timing = new ManualTiming();
		const lock = new KeyedLock({ holdMs: 10000, timing });
		const holder = deferred();
		const ran: Array<string> = [];
		const first = lock.run('a', async () => {
			ran.push('first');
			await holder.promise;
		});
		await timing.advance(500);
		const impatient = lock.run(
			'a',
			async () => {
				ran.push('impatient');
			},
			{ waitMs: 2000 },
		);
		const patient = lock.run('a', async ({ waited }) => {
			ran.push(`patient ${waited}`);
		});
		await timing.advance(2000);
		const error = await impatient.then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(LockTimeoutError);
		// the holder started at +0 and keeps the key until +10000: 7500 ms left at +2500
		expect((error as LockTimeoutError).retryAfterMs).toBe(7500);
		expect((error as LockTimeoutError).message).toBe('gave up waiting for the per-visitor lock');
		holder.resolve();
		await first;
		await patient;
		expect(ran).toEqual(['first', 'patient true']);
		expect([lock.size, timing.pendingTimers]).toEqual([0, 0]);
	});

	it('with onTimeout, a waiter that gives up resolves with its value instead of rejecting', async () => {
		const timing = new ManualTiming();
		const lock = new KeyedLock({ holdMs: 10000, timing });
		const holder = deferred();
		const first = lock.run('a', () => holder.promise.then(() => 'first'));
		const impatient = lock.run('a', async () => 'never', { waitMs: 3000, onTimeout: (ms) => `gave up, ${ms} ms left` });
		await timing.advance(3000);
		await expect(impatient).resolves.toBe('gave up, 7000 ms left');
		holder.resolve();
		await expect(first).resolves.toBe('first');
		expect(lock.size).toBe(0);
	});

	it('the first task of a key neither waits nor times out, whatever waitMs says', async () => {
		const timing = new ManualTiming();
		const lock = new KeyedLock({ holdMs: 50, timing });
		const turns: Array<boolean> = [];
		await lock.run('a', async ({ waited }) => turns.push(waited), { waitMs: 0 });
		await lock.run('b', async ({ waited }) => turns.push(waited), { waitMs: 0 });
		expect(turns).toEqual([false, false]);
	});

	it('a task that throws synchronously rejects its caller and releases the key', async () => {
		const lock = new KeyedLock({ holdMs: 1000 });
		const throwing = (): Promise<number> => {
			throw new Error('sync boom');
		};
		await expect(lock.run('a', throwing)).rejects.toThrow('sync boom');
		await expect(lock.run('a', async () => 7)).resolves.toBe(7);
		expect(lock.size).toBe(0);
	});

	it('holds on the real clock too: a never-settling task gives the key away after holdMs', async () => {
		const lock = new KeyedLock({ holdMs: 20 });
		void lock.run('a', () => new Promise<void>(() => undefined));
		await expect(lock.run('a', async ({ waited }) => waited)).resolves.toBe(true);
		expect(lock.size).toBe(0);
	});
});
