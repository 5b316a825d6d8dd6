/**
 * Runs tasks one at a time per key; different keys never wait for each other. Keys leave the map once their
 * last task settles, so memory follows the keys in use.
 */
export class KeyedLock {
	private readonly tails = new Map<string, Promise<void>>();

	public get size(): number {
		return this.tails.size;
	}

	public run<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.tails.get(key) || Promise.resolve();
		const result = previous.then(task);
		const tail = result.then(
			() => undefined,
			() => undefined,
		);
		this.tails.set(key, tail);
		void tail.then(() => {
			if (this.tails.get(key) === tail) {
				this.tails.delete(key);
			}
		});
		return result;
	}
}
