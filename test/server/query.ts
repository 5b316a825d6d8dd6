/**
 * The query string as Rocket.Chat's HTTP layer parses it for an app endpoint: Rocket.Chat's `apiServer` is an
 * express 4 app with the default "extended" query parser, which is `qs.parse(str, { allowPrototypes: true })`
 * (qs 6.13, qs' other defaults: depth 5, arrayLimit 20, parameterLimit 1000, duplicates combined).
 *
 * What that means for a caller:
 *   ?token=a&token=b      → { token: ['a', 'b'] }           (repeated: an array)
 *   ?token[]=a            → { token: ['a'] }
 *   ?token[x]=a           → { token: { x: 'a' } }
 *   ?token[1]=a           → { token: ['a'] }                 (sparse arrays are compacted)
 *   ?token[21]=a          → { token: { '21': 'a' } }         (indices over 20 make an object)
 *   ?a+b=c%20d            → { 'a b': 'c d' }                 (`+` is a space; bad %-escapes stay as they are)
 *   ?token                → { token: '' }
 *   ?__proto__=x          → {}                               (qs never makes an own `__proto__` key)
 *   ?toString=x           → { toString: 'x' }                (allowPrototypes: other prototype names are kept)
 *
 * Written after qs' parse.js/utils.js (not a copy), for the options express passes; no `qs` package needed.
 */

/** `true` only where qs merges a plain key into an object (`?a[b]=1&a=c` → `{ a: { b: '1', c: true } }`). */
export type QueryValue = string | true | QueryValue[] | QueryObject;
export interface QueryObject {
	[key: string]: QueryValue;
}

const DEPTH = 5;
const ARRAY_LIMIT = 20;
const PARAMETER_LIMIT = 1000;
const PROTO = '__proto__';

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** qs' decoder: `+` is a space, then percent-decoding; a malformed escape leaves the text as it is. */
function decode(text: string): string {
	const spaced = text.replace(/\+/g, ' ');
	try {
		return decodeURIComponent(spaced);
	} catch {
		return spaced;
	}
}

/** An object without a prototype while parsing: a key like `__proto__` is then just a key (qs does the same). */
function bag<T>(): Record<string, T> {
	return Object.create(null) as Record<string, T>;
}

type Leaf = string | true | Leaf[] | { [key: string]: Leaf };

function concat(a: Leaf, b: Leaf): Leaf[] {
	return ([] as Leaf[]).concat(a, b);
}

/** Step 1 (qs parseValues): `key=value` pairs, decoded; a repeated key collects its values in an array. */
function parseValues(text: string): Record<string, Leaf> {
	const pairs = bag<Leaf>();
	const parts = text.replace(/%5B/gi, '[').replace(/%5D/gi, ']').split('&', PARAMETER_LIMIT);
	for (const part of parts) {
		const bracketEquals = part.indexOf(']=');
		const pos = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
		const key = decode(pos === -1 ? part : part.slice(0, pos));
		let value: Leaf = pos === -1 ? '' : decode(part.slice(pos + 1));
		if (part.indexOf('[]=') > -1 && Array.isArray(value)) {
			value = [value];
		}
		pairs[key] = hasOwn(pairs, key) ? concat(pairs[key], value) : value;
	}
	return pairs;
}

/** Step 2 (qs parseKeys): `a[b][]` → ['a', '[b]', '[]'], at most DEPTH bracket groups (the rest is one segment). */
function splitKey(key: string): string[] | undefined {
	if (!key) {
		return undefined;
	}
	const first = /(\[[^[\]]*])/.exec(key);
	const parent = first ? key.slice(0, first.index) : key;
	const segments: string[] = [];
	if (parent) {
		segments.push(parent);
	}
	const child = /(\[[^[\]]*])/g;
	let segment: RegExpExecArray | null;
	let depth = 0;
	// as qs: the group after the last one taken is already matched when the depth check stops the loop
	while ((segment = child.exec(key)) !== null && depth < DEPTH) {
		depth += 1;
		segments.push(segment[1]);
	}
	if (segment) {
		segments.push(`[${key.slice(segment.index)}]`);
	}
	return segments;
}

/** Step 3 (qs parseObject): builds the nested value from the innermost segment out. */
function buildObject(chain: string[], value: Leaf): Leaf {
	let leaf = value;
	for (let i = chain.length - 1; i >= 0; i--) {
		const root = chain[i];
		let built: Leaf;
		if (root === '[]') {
			built = concat([], leaf);
		} else {
			const clean = root.charAt(0) === '[' && root.charAt(root.length - 1) === ']' ? root.slice(1, -1) : root;
			const index = parseInt(clean, 10);
			if (!isNaN(index) && root !== clean && String(index) === clean && index >= 0 && index <= ARRAY_LIMIT) {
				const array: Leaf[] = [];
				array[index] = leaf;
				built = array;
			} else {
				const object = bag<Leaf>();
				if (clean !== PROTO) {
					object[clean] = leaf;
				}
				built = object;
			}
		}
		leaf = built;
	}
	return leaf;
}

function isObject(value: Leaf | undefined): value is { [key: string]: Leaf } | Leaf[] {
	return typeof value === 'object' && value !== null;
}

function arrayToObject(array: Leaf[]): { [key: string]: Leaf } {
	const object = bag<Leaf>();
	array.forEach((item, i) => {
		if (item !== undefined) {
			object[String(i)] = item;
		}
	});
	return object;
}

/** qs utils.merge: combines the values of two keys that name the same thing (`a[b]=1&a[c]=2`). */
function merge(target: Leaf, source: Leaf): Leaf {
	if (source === '') {
		// qs: `if (!source) return target`
		return target;
	}
	if (!isObject(source)) {
		if (Array.isArray(target)) {
			target.push(source);
			return target;
		}
		if (isObject(target)) {
			if (String(source) !== PROTO) {
				target[String(source)] = true;
			}
			return target;
		}
		return [target, source];
	}
	if (!isObject(target)) {
		return concat([target], source);
	}
	if (Array.isArray(target) && Array.isArray(source)) {
		source.forEach((item, i) => {
			if (i in target) {
				const existing = target[i];
				if (isObject(existing) && isObject(item)) {
					target[i] = merge(existing, item);
				} else {
					target.push(item);
				}
			} else {
				target[i] = item;
			}
		});
		return target;
	}
	const into: { [key: string]: Leaf } = Array.isArray(target) ? arrayToObject(target) : target;
	for (const key of Object.keys(source)) {
		const value = (source as { [key: string]: Leaf })[key];
		if (key === PROTO || value === undefined) {
			continue;
		}
		into[key] = hasOwn(into, key) ? merge(into[key], value) : value;
	}
	return into;
}

/** qs utils.compact (sparse arrays lose their holes), and every object gets the ordinary prototype back. */
function finish(value: Leaf): QueryValue {
	if (Array.isArray(value)) {
		return value.filter((item) => item !== undefined).map(finish);
	}
	if (isObject(value)) {
		const out: QueryObject = {};
		for (const key of Object.keys(value)) {
			if (key !== PROTO) {
				out[key] = finish(value[key]);
			}
		}
		return out;
	}
	return value;
}

/** Parses the part of a URL after `?` (without the `?`), as express 4 does for `req.query`. */
export function parseQueryString(text: string | null | undefined): QueryObject {
	if (!text) {
		return {};
	}
	const pairs = parseValues(text);
	let result: Leaf = bag<Leaf>();
	for (const key of Object.keys(pairs)) {
		const chain = splitKey(key);
		if (chain) {
			result = merge(result, buildObject(chain, pairs[key]));
		}
	}
	return finish(result) as QueryObject;
}

/** True when some object at any depth has an own `__proto__` key (what wedges the Deno engines' runtime). */
export function hasOwnProtoKey(value: unknown, depth = 0): boolean {
	if (value === null || typeof value !== 'object' || depth > 32) {
		return false;
	}
	if (hasOwn(value, PROTO)) {
		return true;
	}
	return Object.keys(value).some((key) => hasOwnProtoKey((value as Record<string, unknown>)[key], depth + 1));
}
