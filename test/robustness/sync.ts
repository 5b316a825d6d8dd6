/** Helpers of the concurrency tests: no timing, only promises the test controls and conditions it waits for. */

/** A promise and its resolver. */
export function gate(): { promise: Promise<void>; open: () => void } {
	let open: () => void = () => undefined;
	const promise = new Promise<void>((resolve) => {
		open = resolve;
	});
	return { promise, open };
}

/** Waits (without asserting anything about time) until `condition` holds; fails loudly if it never does. */
export async function until(condition: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 30000;
	while (!condition()) {
		if (Date.now() > deadline) {
			throw new Error(`never happened: ${what}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
}

/** Tracks whether a promise settled. */
export function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
	let done = false;
	const settledPromise = promise.finally(() => {
		done = true;
	});
	return { promise: settledPromise, settled: () => done };
}
