/** Own-property helpers for objects built from untrusted keys: no prototype lookup, no prototype change. */

export function hasOwn(object: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

/** Sets an own property, whatever its name (`__proto__` included), without touching any prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	if (key === '__proto__') {
		// the one key a plain assignment would not make an own property of (Object.prototype's accessor)
		Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
	} else {
		target[key] = value;
	}
}
