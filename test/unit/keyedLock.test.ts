import { describe, expect, it } from '@jest/globals';

import { KeyedLock } from '../../lib/keyedLock';

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
