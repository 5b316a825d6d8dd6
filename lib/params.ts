import type { Result } from './errors';
import { invalidParams, ok } from './errors';
import { hasOwn } from './objects';

export const MAX_PARAM_LENGTH = 256;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface VoipRoomQuery {
	readonly token: string;
	readonly agentId?: string;
	readonly rid?: string;
	readonly direction?: Direction;
}

const KNOWN = ['token', 'agentId', 'rid', 'direction'] as const;
type Known = (typeof KNOWN)[number];

/** A parameter name as it may be echoed back in an error: quoted, shortened. */
export function quote(name: string): string {
	const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
	return `'${shown}'`;
}

/** The error for a field the schema does not have. */
export function additionalProperty<T = never>(name: string): Result<T> {
	return invalidParams(`must NOT have additional properties: ${quote(name)}`);
}

function isKnown(key: string): key is Known {
	return (KNOWN as ReadonlyArray<string>).indexOf(key) !== -1;
}

/** Characters as the core's validator counted them (code points: an emoji is one). */
function codePoints(value: string): number {
	let count = 0;
	for (let i = 0; i < value.length; i++) {
		const unit = value.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
			const next = value.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				i++;
			}
		}
		count++;
	}
	return count;
}

/**
 * The rules every text field shares (query parameters, body fields): a string, not empty unless allowed, at most
 * `max` characters. `name` is how the error names the field.
 */
export function checkText(name: string, value: unknown, max: number, allowEmpty = false): Result<string> {
	if (typeof value !== 'string') {
		return invalidParams(`${quote(name)} must be a string`);
	}
	if (value.length === 0 && !allowEmpty) {
		return invalidParams(`${quote(name)} must NOT be empty`);
	}
	if (value.length > max && codePoints(value) > max) {
		return invalidParams(`${quote(name)} must NOT have more than ${max} characters`);
	}
	return ok(value);
}

function checkString(name: Known, value: unknown): Result<string> {
	if (Array.isArray(value)) {
		return invalidParams(`${quote(name)} must be given once, not repeated`);
	}
	return checkText(name, value, MAX_PARAM_LENGTH);
}

/**
 * Step 1 of the endpoint: the query string, checked against CONTRACT §1.1. The first problem found is reported,
 * in this order: an unknown parameter, then each known one (token, agentId, rid, direction), then what is missing.
 */
export function parseQuery(query: unknown): Result<VoipRoomQuery> {
	const source: object = typeof query === 'object' && query !== null ? query : {};
	const keys = Object.keys(source);
	for (const key of keys) {
		if (!isKnown(key)) {
			return additionalProperty(key);
		}
	}
	const values: Partial<Record<Known, string>> = {};
	for (const name of KNOWN) {
		if (!hasOwn(source, name)) {
			continue;
		}
		const checked = checkString(name, (source as Record<string, unknown>)[name]);
		if (!checked.ok) {
			return checked;
		}
		if (name === 'direction' && !isDirection(checked.value)) {
			return invalidParams(`'direction' must be equal to one of the allowed values: ${DIRECTIONS.join(', ')}`);
		}
		values[name] = checked.value;
	}
	const { token, agentId, rid, direction } = values;
	if (token === undefined) {
		return invalidParams(`must have required property 'token'`);
	}
	if (rid === undefined && agentId === undefined) {
		return invalidParams(`must have required property 'agentId'`);
	}
	return ok({
		token,
		...(agentId !== undefined && { agentId }),
		...(rid !== undefined && { rid }),
		...(direction !== undefined && { direction: direction as Direction }),
	});
}

function isDirection(value: string): value is Direction {
	return (DIRECTIONS as ReadonlyArray<string>).indexOf(value) !== -1;
}
