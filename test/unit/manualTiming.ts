/** A clock for unit tests that moves only when the test says so. */
import type { Timing } from '../../lib/timing';

/** A clock that moves only when the test says so; `after` callbacks fire as it passes them. */
export class ManualTiming implements Timing {
	private current = 1_000_000;
	private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
	now(): number {
		return this.current;
	}
	after(ms: number, fn: () => void): () => void {
		const timer = { at: this.current + ms, fn, live: true };
		this.timers.push(timer);
		return () => {
			timer.live = false;
		};
	}
	random(): number {
		return 0.5;
	}
	/** Moves the clock, firing due timers in order, letting promise callbacks run in between. */
	async advance(ms: number): Promise<void> {
		const end = this.current + ms;
		for (;;) {
			await flush();
			const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
			if (!due) {
				break;
			}
			this.current = due.at;
			due.live = false;
			due.fn();
		}
		this.current = Math.max(this.current, end);
		await flush();
	}
	/** Moves the clock without firing anything: a call that took this long. */
	jump(ms: number): void {
		this.current += ms;
	}
	/** Lets the clock run, in steps, until the promise settles (at most `maxMs` of virtual time). */
	async settle<T>(promise: Promise<T>, stepMs = 10, maxMs = 600000): Promise<T> {
		let settled = false;
		const watched = promise.finally(() => {
			settled = true;
		});
		for (let elapsed = 0; !settled && elapsed < maxMs; elapsed += stepMs) {
			await this.advance(stepMs);
		}
		return watched;
	}
	get pendingTimers(): number {
		return this.timers.filter((t) => t.live).length;
	}
}

export async function flush(): Promise<void> {
	for (let i = 0; i < 10; i++) {
		await Promise.resolve();
	}
}
