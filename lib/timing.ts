/**
 * Time and chance as the app's waiting code sees them: the real ones in the app, virtual ones in unit tests
 * (test/unit/clusterCreate.test.ts drives a fake clock and an adversarial scheduler through this).
 */
export interface Timing {
	/** Milliseconds since the epoch, as Date.now(). */
	now(): number;
	/** Calls `fn` once after `ms` milliseconds; the returned function cancels it. */
	after(ms: number, fn: () => void): () => void;
	/** A number in [0, 1), as Math.random(). */
	random(): number;
}

export const realTiming: Timing = {
	now: () => Date.now(),
	after: (ms, fn) => {
		const timer: unknown = setTimeout(fn, ms);
		// A lock's or a pause's timer never keeps a process alive (Node; Deno's timers are plain numbers).
		const node = timer as { unref?: () => void };
		if (typeof node.unref === 'function') {
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
