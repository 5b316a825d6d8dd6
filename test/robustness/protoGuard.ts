/**
 * Proof that nothing changed a built-in prototype (or other shared intrinsic) of this process: every own
 * property's descriptor (values compared by identity), the prototype link and extensibility, before and after.
 * On 1.42 the app runs in this process (vm2); on 1.62 the engine does, and the app's answers pass through it.
 */
interface Shape {
	proto: object | null;
	extensible: boolean;
	props: Map<string | symbol, PropertyDescriptor>;
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

export const INTRINSICS: ReadonlyArray<[string, object]> = [
	['Object.prototype', Object.prototype],
	['Array.prototype', Array.prototype],
	['Function.prototype', Function.prototype],
	['String.prototype', String.prototype],
	['Number.prototype', Number.prototype],
	['Boolean.prototype', Boolean.prototype],
	['Symbol.prototype', Symbol.prototype],
	['BigInt.prototype', BigInt.prototype],
	['Date.prototype', Date.prototype],
	['RegExp.prototype', RegExp.prototype],
	['Error.prototype', Error.prototype],
	['TypeError.prototype', TypeError.prototype],
	['Promise.prototype', Promise.prototype],
	['Map.prototype', Map.prototype],
	['Set.prototype', Set.prototype],
	['WeakMap.prototype', WeakMap.prototype],
	['ArrayBuffer.prototype', ArrayBuffer.prototype],
	['TypedArray.prototype', TypedArrayPrototype],
	['Uint8Array.prototype', Uint8Array.prototype],
	['Buffer.prototype', Buffer.prototype],
	['Object', Object],
	['Array', Array],
	['JSON', JSON],
	['Math', Math],
	['Reflect', Reflect],
];

function shapeOf(target: object): Shape {
	const props = new Map<string | symbol, PropertyDescriptor>();
	for (const key of Reflect.ownKeys(target)) {
		props.set(key, Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor);
	}
	return { proto: Object.getPrototypeOf(target) as object | null, extensible: Object.isExtensible(target), props };
}

export type PrototypeSnapshot = Array<[string, object, Shape]>;

export function snapshotPrototypes(): PrototypeSnapshot {
	return INTRINSICS.map(([name, target]) => [name, target, shapeOf(target)]);
}

const SAME_FIELDS: ReadonlyArray<keyof PropertyDescriptor> = ['value', 'get', 'set', 'writable', 'enumerable', 'configurable'];

/** Every difference since the snapshot, readable; [] when nothing changed. */
export function prototypeChanges(snapshot: PrototypeSnapshot): Array<string> {
	const changes: Array<string> = [];
	for (const [name, target, before] of snapshot) {
		const after = shapeOf(target);
		if (after.proto !== before.proto) {
			changes.push(`${name}: prototype replaced`);
		}
		if (after.extensible !== before.extensible) {
			changes.push(`${name}: extensible ${before.extensible} -> ${after.extensible}`);
		}
		for (const [key, descriptor] of after.props) {
			const old = before.props.get(key);
			if (!old) {
				changes.push(`${name}.${String(key)}: added`);
			} else if (SAME_FIELDS.some((field) => !Object.is(old[field], descriptor[field]))) {
				changes.push(`${name}.${String(key)}: changed`);
			}
		}
		for (const key of before.props.keys()) {
			if (!after.props.has(key)) {
				changes.push(`${name}.${String(key)}: removed`);
			}
		}
	}
	return changes;
}
