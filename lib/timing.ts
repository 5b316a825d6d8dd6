/**
 * Time and chance as the app's waiting code sees them: the real ones in the app, virtual ones in unit tests
 * (test/unit/coordinate.test.ts drives a fake clock and an adversarial scheduler through this).
 */
export interface Timing {
	/** Milliseconds since the epoch, as Date.now(). */
	now(): number;
	/**
	 * Calls `fn` once after `ms` milliseconds; the returned function cancels it. A `background` timer does not keep
	 * the process alive by itself (a safety net that only matters while other work goes on).
	 */
	after(ms: number, fn: () => void, background?: boolean): () => void;
	/** A number in [0, 1), as Math.random(). */
	random(): number;
}

export const realTiming: Timing = {
	now: () => Date.now(),
	after: (ms, fn, background) => {
		const timer: unknown = setTimeout(fn, ms);
		// Node's timers can be unref'd (engine 1.42 runs the app in the server's process); Deno's are plain numbers.
		const node = timer as { unref?: () => void };
		if (background && typeof node.unref === 'function') {
			node.unref();
		}
		return () => clearTimeout(timer as ReturnType<typeof setTimeout>);
	},
	random: () => Math.random(),
};

export function sleep(timing: Timing, ms: number): Promise<void> {
	return new Promise((resolve) => {
		timing.after(ms, resolve);
	});
}
