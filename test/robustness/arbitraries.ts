/**
 * fast-check generators of hostile requests: what integrations send (valid calls against the seed), and what
 * they should not (unknown, prototype-named and empty keys, repeated parameters, numbers and objects where
 * strings belong, very long, unicode, control-character, lone-surrogate and byte-soup strings, random headers).
 */
import fc from 'fast-check';

import { isDenoEngine } from '../engine/engines';
import type { EngineName } from '../engine/host';
import type { Query } from './oracle';
import { SEED, WORLD } from './world';

export interface FuzzRequest {
	query: Query;
	/** X-User-Id as the server resolved it: a user id, an unknown id, or no user at all */
	callerId: string | null;
	headers: Record<string, string>;
}

/** Keys whose names are properties of every object, or otherwise dangerous for naive code. */
export const HOSTILE_KEYS = [
	'constructor',
	'toString',
	'valueOf',
	'hasOwnProperty',
	'isPrototypeOf',
	'propertyIsEnumerable',
	'toLocaleString',
	'__defineGetter__',
	'__lookupSetter__',
	'prototype',
	'then',
	'length',
	'',
	' ',
	'0',
	'1',
	'4294967294',
	'4294967295',
	'-1',
	'token ',
	' token',
	'Token',
	'TOKEN',
	'agentid',
	'agentId[]',
	'token[0]',
	'rid[$ne]',
	'$where',
	'roomId',
	'visitorToken',
	'tok\u0000en',
	'\u202Etoken',
];

/**
 * A generator choice, not a claim about the app: an own `__proto__` key is generated only for engines that run the
 * app in-process. On a Deno engine a request holding one (at any depth, in the query, headers or body) makes the
 * runtime's msgpack decoder throw and ends its read loop: every later request of the run would time out until the
 * engine restarts the subprocess (test/server/wedge.test.ts characterizes that; docs/security.md). The request
 * dies before the app runs, so there is nothing of the app's to fuzz there.
 */
export function mayHoldProtoKey(engine: EngineName): boolean {
	return !isDenoEngine(engine);
}

export function hostileKeys(engine: EngineName): Array<string> {
	return mayHoldProtoKey(engine) ? HOSTILE_KEYS.concat(['__proto__']) : HOSTILE_KEYS;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((unit) => String.fromCharCode(unit));
/** Latin-1 "bytes" (what a mis-decoded non-UTF-8 payload looks like) and percent-escapes of invalid UTF-8. */
const byteSoup = fc.oneof(
	fc.uint8Array({ minLength: 1, maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
	fc.constantFrom('%FF%FE', '%C0%AF', '%ED%A0%80', '\xff\xfe\x00t', '\uFFFD\uFFFD', '\u00c3\u00a9'),
);

/** Any code point, surrogates included (String.fromCodePoint(0xd800) is a lone surrogate). */
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point));
/** Grapheme clusters that are more than one code point: ZWJ sequences, flags, combining marks, bidi. */
const cluster = fc.constantFrom('👨‍👩‍👧‍👦', '🇧🇷', 'e\u0301', '\u202Eabc', 'Z̤͔ͧ̑̓', '🏳️‍🌈', 'ﷺ', '\uFEFF');
/** Joins pieces (fc.string with a custom unit is much slower: it prepares its shrinking slices per value). */
const joined = (piece: fc.Arbitrary<string>, maxLength: number): fc.Arbitrary<string> =>
	fc.array(piece, { maxLength }).map((pieces) => pieces.join(''));

/** Strings of every kind, from empty to far over the limit. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
	{ arbitrary: fc.string({ maxLength: 20 }), weight: 4 },
	{ arbitrary: joined(fc.oneof(cluster, fc.char()), 12), weight: 2 },
	{ arbitrary: joined(codePoint, 40), weight: 2 },
	{ arbitrary: joined(fc.oneof(loneSurrogate, controlChar, fc.char()), 12), weight: 2 },
	{ arbitrary: byteSoup, weight: 1 },
	{ arbitrary: fc.constant(''), weight: 2 },
	{ arbitrary: fc.integer({ min: 250, max: 262 }).map((n) => 'x'.repeat(n)), weight: 2 },
	{ arbitrary: fc.integer({ min: 126, max: 130 }).map((n) => '\u{1F4DE}'.repeat(n)), weight: 1 },
	{ arbitrary: fc.integer({ min: 1000, max: 5000 }).map((n) => 'y'.repeat(n)), weight: 1 },
);

/** Values a real query parser can produce (qs: strings, arrays, objects) and a few it cannot. */
const notAString: fc.Arbitrary<unknown> = fc.oneof(
	fc.array(anyString, { minLength: 0, maxLength: 3 }),
	fc.array(fc.constantFrom(SEED.visitorToken, SEED.roomId, SEED.agentId), { minLength: 2, maxLength: 3 }),
	fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.constant(null),
);

const TOKENS = [SEED.visitorToken, SEED.lonelyVisitorToken, WORLD.ghostVisitorToken, WORLD.otherLonelyVisitorToken];
const ROOM_IDS = [SEED.roomId, SEED.closedRoomId, SEED.voipRoomId, SEED.channelId, WORLD.ghostRoomId];
/** Never the offline agent: the server refuses to route a room to it, a 500 of its own (see faults.test.ts). */
const AGENT_IDS = [SEED.agentId, SEED.callerId, SEED.plainUserId, 'NoSuchAgentId1234'];
const CALLERS: Array<string | null> = [SEED.callerId, SEED.agentId, SEED.plainUserId, SEED.offlineAgentId, null, 'NoSuchUserId12345'];

function param(valid: ReadonlyArray<string>, hostile: ReadonlyArray<string>): fc.Arbitrary<unknown> {
	return fc.oneof(
		{ arbitrary: fc.constantFrom(...valid), weight: 40 },
		{ arbitrary: fc.constantFrom(...hostile), weight: 1 },
		{ arbitrary: anyString, weight: 3 },
		{ arbitrary: notAString, weight: 2 },
	);
}

/** Builds an object with exactly these own keys, in this order (a repeated key keeps its first place). */
export function objectOf(entries: ReadonlyArray<[string, unknown]>): Query {
	const out: Query = {};
	for (const [key, value] of entries) {
		Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
	}
	return out;
}

export function queryArbitrary(engine: EngineName): fc.Arbitrary<Query> {
	const keys = hostileKeys(engine);
	const known = fc.record(
		{
			token: param(TOKENS, keys),
			agentId: param(AGENT_IDS, keys),
			rid: param(ROOM_IDS, keys),
			direction: param(['inbound', 'outbound'], ['Inbound', 'in', 'both', '']),
		},
		{ requiredKeys: [] },
	);
	const extraKey = fc.oneof(
		{ arbitrary: fc.constantFrom(...keys), weight: 3 },
		// the same choice for random keys (see mayHoldProtoKey)
		{ arbitrary: anyString.filter((key) => mayHoldProtoKey(engine) || key !== '__proto__'), weight: 2 },
	);
	const extras = fc.oneof(
		{ arbitrary: fc.constant([] as Array<[string, unknown]>), weight: 8 },
		{ arbitrary: fc.array(fc.tuple(extraKey, fc.oneof(anyString, notAString)), { minLength: 1, maxLength: 3 }), weight: 2 },
	);
	// Mostly the shapes integrations send (token + rid, token + agentId, both), then anything.
	const presence = fc.oneof(
		{ arbitrary: fc.constant(['token', 'rid']), weight: 4 },
		{ arbitrary: fc.constant(['token', 'agentId']), weight: 4 },
		{ arbitrary: fc.constant(['token', 'agentId', 'rid']), weight: 2 },
		{ arbitrary: fc.constant(['token', 'agentId', 'direction']), weight: 2 },
		{ arbitrary: fc.subarray(['token', 'agentId', 'rid', 'direction']), weight: 3 },
	);
	return fc
		.tuple(known, presence, extras)
		.chain(([values, present, extra]) => {
			const entries: Array<[string, unknown]> = [];
			for (const name of present) {
				if (Object.prototype.hasOwnProperty.call(values, name)) {
					entries.push([name, (values as Record<string, unknown>)[name]]);
				}
			}
			return fc.shuffledSubarray(entries.concat(extra), { minLength: entries.length + extra.length });
		})
		.map(objectOf);
}

export function headersArbitrary(engine: EngineName): fc.Arbitrary<Record<string, string>> {
	const name = fc.oneof(
		fc.constantFrom(...hostileKeys(engine), 'x-user-id', 'x-auth-token', 'content-type', 'cookie'),
		fc.string({ maxLength: 8 }),
	);
	return fc
		.array(fc.tuple(name, anyString), { maxLength: 4 })
		.map((entries) => objectOf(entries.map(([key, value]): [string, unknown] => [key, value])) as Record<string, string>);
}

export function requestArbitrary(engine: EngineName): fc.Arbitrary<FuzzRequest> {
	return fc.record({
		query: queryArbitrary(engine),
		callerId: fc.oneof({ arbitrary: fc.constant(SEED.callerId), weight: 6 }, { arbitrary: fc.constantFrom(...CALLERS), weight: 3 }),
		headers: headersArbitrary(engine),
	});
}
