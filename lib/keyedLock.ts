import type { Timing } from './timing';
import { realTiming } from './timing';

/** A task waited longer than its `waitMs` for its turn: it did not run. */
export class LockTimeoutError extends Error {
	/**
	 * @param retryAfterMs when the task holding the key now gives the turn away at the latest (its `holdMs` ends),
	 *   from the moment of giving up; 0 when that is already past
	 */
	constructor(public readonly retryAfterMs: number) {
		// no key in the message: keys are visitor tokens
		super('gave up waiting for the per-visitor lock');
		this.name = 'LockTimeoutError';
	}
}

export interface KeyedLockOptions {
	/**
	 * How long one task may keep its key: past this, the next task of the key starts even though this one has not
	 * settled (a server call that never answers must not hold the key forever). The late task still runs to its
	 * end; what the lock serializes must stay correct without it (lib/coordinate.ts: the claims do).
	 */
	readonly holdMs?: number;
	readonly timing?: Timing;
}

export interface RunOptions<T> {
	/** Give up (the task never runs) when the turn has not come after this long: reject with LockTimeoutError ... */
	readonly waitMs?: number;
	/**
	 * ... or resolve with this value instead (`retryAfterMs` as LockTimeoutError's). Prefer it: on engine 1.42 each
	 * file of an app runs in its own vm2 sandbox, where `instanceof` across files is not reliable.
	 */
	readonly onTimeout?: (retryAfterMs: number) => T;
}

/** What a task learns about its turn. */
export interface LockTurn {
	/** Another task of the key was running or queued when this one asked. */
	readonly waited: boolean;
}

interface KeyState {
	/** settles when the last queued task of the key gives the turn away */
	tail: Promise<void>;
	/** tasks queued or running for the key */
	pending: number;
	/** when the running task's hold ends at the latest */
	holdEndsAt: number;
}

export const DEFAULT_HOLD_MS = 30000;

/**
 * Runs tasks one at a time per key; different keys never wait for each other. A task keeps its key until it
 * settles or `holdMs` has passed, whichever comes first; a waiting task may give up after `waitMs`. Keys leave the
 * map once their last task gives the turn away, so memory follows the keys in use.
 */
export class KeyedLock {
	private readonly keys = new Map<string, KeyState>();
	private readonly holdMs: number;
	private readonly timing: Timing;

	constructor(options: KeyedLockOptions = {}) {
		this.holdMs = options.holdMs !== undefined ? options.holdMs : DEFAULT_HOLD_MS;
		this.timing = options.timing || realTiming;
	}

	public get size(): number {
		return this.keys.size;
	}

	public run<T>(key: string, task: (turn: LockTurn) => Promise<T>, options: RunOptions<T> = {}): Promise<T> {
		const existing = this.keys.get(key);
		const state: KeyState = existing || { tail: Promise.resolve(), pending: 0, holdEndsAt: 0 };
		const previous = state.tail;
		let giveAway: () => void = () => undefined;
		const turnOver = new Promise<void>((resolve) => {
			giveAway = resolve;
		});
		state.tail = previous.then(() => turnOver);
		state.pending += 1;
		this.keys.set(key, state);

		let finished = false;
		const finish = (): void => {
			if (finished) {
				return;
			}
			finished = true;
			giveAway();
			state.pending -= 1;
			if (state.pending === 0 && this.keys.get(key) === state) {
				this.keys.delete(key);
			}
		};

		const waited = !!existing;
		return new Promise<T>((resolve, reject) => {
			let gaveUp = false;
			const cancelWait =
				waited && options.waitMs !== undefined
					? this.timing.after(Math.max(0, options.waitMs), () => {
							gaveUp = true;
							const retryAfterMs = Math.max(0, state.holdEndsAt - this.timing.now());
							if (options.onTimeout) {
								resolve(options.onTimeout(retryAfterMs));
							} else {
								reject(new LockTimeoutError(retryAfterMs));
							}
						})
					: () => undefined;
			void previous.then(() => {
				cancelWait();
				if (gaveUp) {
					// never ran: the next task waits for the one before this
					finish();
					return;
				}
				state.holdEndsAt = this.timing.now() + this.holdMs;
				// a safety net: it must not keep a process alive for a task that will never settle
				const cancelHold = this.timing.after(this.holdMs, finish, true);
				let result: Promise<T>;
				try {
					result = Promise.resolve(task({ waited }));
				} catch (e) {
					result = Promise.reject(e);
				}
				result.then(
					(value) => {
						cancelHold();
						finish();
						resolve(value);
					},
					(reason: unknown) => {
						cancelHold();
						finish();
						reject(reason);
					},
				);
			});
		});
	}
}
