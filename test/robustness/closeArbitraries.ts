/**
 * fast-check generators of hostile `voip/room.close` bodies, as Rocket.Chat hands them to the app: JSON (what
 * `express.json()` parses: objects and arrays at the top, anything inside) and form-encoded (what
 * `express.urlencoded({ extended: false })` makes: flat string fields, a repeated field as a list). Mostly the
 * shapes integrations send against the store's rooms and visitors, then wrong types, huge strings, nested junk,
 * arrays, unknown and prototype-like field names. Never an own `__proto__` key on a Deno engine: the engine rejects
 * such a request before the app runs and the app's runtime stops answering (REAL-ENGINE.md, the engine-wedge issue).
 */
import * as querystring from 'querystring';

import fc from 'fast-check';

import { isDenoEngine } from '../engine/engines';
import type { EngineName, RcData } from '../engine/host';
import { anyString, HOSTILE_KEYS, objectOf } from './arbitraries';
import { wellFormed } from './oracle';
import { SEED, WORLD, worldData } from './world';

/** A second visitor's open livechat room (added to the world by the close tests). */
export const OTHER_ROOM = {
	id: '0th3rR00mAbCdEfGh',
	/** the same visitor's earlier room, closed as Rocket.Chat closes (no `open` key at all) */
	closedId: '0th3rCl0s3dR00mAb',
	visitorId: WORLD.otherLonelyVisitorId,
	token: WORLD.otherLonelyVisitorToken,
};

export interface CloseFuzzRequest {
	/** the body as the server hands it to the app */
	content: unknown;
	/** how it travelled */
	as: 'json' | 'form';
	callerId: string | null;
}

const ROOM_IDS = [
	SEED.roomId,
	SEED.closedRoomId,
	SEED.voipRoomId,
	SEED.channelId,
	WORLD.ghostRoomId,
	OTHER_ROOM.id,
	OTHER_ROOM.closedId,
	'NoSuchRoomAbCdEfG',
];
const TOKENS = [SEED.visitorToken, SEED.lonelyVisitorToken, WORLD.ghostVisitorToken, OTHER_ROOM.token, 'no-such-visitor-token'];
/** Rooms with their visitor's token: open livechat ones (a close), a closed one, a VoIP one. */
const VISITOR_ROOMS = [
	{ rid: SEED.roomId, token: SEED.visitorToken },
	{ rid: OTHER_ROOM.id, token: OTHER_ROOM.token },
	{ rid: SEED.closedRoomId, token: SEED.visitorToken },
	{ rid: OTHER_ROOM.closedId, token: OTHER_ROOM.token },
	{ rid: SEED.voipRoomId, token: SEED.visitorToken },
];
const CALLERS: Array<string | null> = [SEED.callerId, SEED.agentId, SEED.plainUserId, SEED.offlineAgentId, null, 'NoSuchUserId12345'];

/** The query fuzz's hostile names, and names that look like the body's own or like operators. */
const HOSTILE_FIELDS = HOSTILE_KEYS.concat([
	'rid ',
	'Rid',
	'options.comment',
	'options[comment]',
	'$set',
	'comment',
	'tags',
	'agentId',
	'\u202Erid',
	'ri\u0000d',
]);

/** The fields a Deno engine may see (no own `__proto__` key anywhere). */
function fieldNames(engine: EngineName): Array<string> {
	return isDenoEngine(engine) ? HOSTILE_FIELDS : HOSTILE_FIELDS.concat(['__proto__']);
}

function fieldName(engine: EngineName): fc.Arbitrary<string> {
	return fc.oneof(
		{ arbitrary: fc.constantFrom(...fieldNames(engine)), weight: 3 },
		{ arbitrary: anyString.filter((key) => !isDenoEngine(engine) || key !== '__proto__'), weight: 2 },
	);
}

/** Any JSON value, nested up to a few levels: what a hostile JSON body may hold anywhere. */
function jsonJunk(engine: EngineName): fc.Arbitrary<unknown> {
	const leaf = fc.oneof(
		anyString,
		fc.integer(),
		fc.double({ noNaN: true, noDefaultInfinity: true }),
		fc.boolean(),
		fc.constant(null),
		fc.constantFrom(...ROOM_IDS, ...TOKENS),
	);
	const { tree } = fc.letrec((tie) => ({
		tree: fc.oneof(
			{ depthSize: 'small', withCrossShrink: true },
			leaf,
			fc.array(tie('tree'), { maxLength: 4 }),
			fc.array(fc.tuple(fieldName(engine), tie('tree')), { maxLength: 4 }).map((entries) => objectOf(entries)),
		),
	}));
	return tree;
}

/** Strings of every kind and length, up to far past the comment's limit. */
const longString = fc.oneof(
	{ arbitrary: anyString, weight: 6 },
	{ arbitrary: fc.integer({ min: 4090, max: 4100 }).map((n) => 'c'.repeat(n)), weight: 2 },
	{ arbitrary: fc.integer({ min: 4094, max: 4098 }).map((n) => '\u{1F4DE}'.repeat(n)), weight: 1 },
	{ arbitrary: fc.integer({ min: 10000, max: 60000 }).map((n) => 'z'.repeat(n)), weight: 1 },
);

function field<T>(valid: fc.Arbitrary<T>, engine: EngineName): fc.Arbitrary<unknown> {
	return fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: longString, weight: 2 }, { arbitrary: jsonJunk(engine), weight: 2 });
}

const tag = fc.oneof(
	{ arbitrary: fc.string({ minLength: 1, maxLength: 12 }), weight: 20 },
	{ arbitrary: fc.constant(''), weight: 1 },
	{ arbitrary: fc.integer({ min: 127, max: 130 }).map((n) => 't'.repeat(n)), weight: 1 },
	{ arbitrary: fc.integer(), weight: 1 },
);

function optionsArbitrary(engine: EngineName): fc.Arbitrary<unknown> {
	const known = fc.record(
		{
			comment: field(fc.string({ maxLength: 40 }), engine),
			tags: field(
				fc.oneof(
					{ arbitrary: fc.array(tag, { maxLength: 5 }), weight: 8 },
					{ arbitrary: fc.integer({ min: 49, max: 52 }).map((n) => Array.from({ length: n }, (_, i) => `tag${i}`)), weight: 1 },
				),
				engine,
			),
		},
		{ requiredKeys: [] },
	);
	const extras = fc.oneof(
		{ arbitrary: fc.constant([] as Array<[string, unknown]>), weight: 12 },
		{ arbitrary: fc.array(fc.tuple(fieldName(engine), jsonJunk(engine)), { minLength: 1, maxLength: 2 }), weight: 1 },
	);
	const shaped = fc
		.tuple(known, extras)
		.chain(([values, extra]) =>
			fc.shuffledSubarray(Object.entries(values).concat(extra), { minLength: Object.keys(values).length + extra.length }),
		)
		.map(objectOf);
	return fc.oneof({ arbitrary: shaped, weight: 12 }, { arbitrary: jsonJunk(engine), weight: 1 });
}

/** A JSON body: mostly `{ rid, token, options? }` against the store, then anything. */
export function jsonBodyArbitrary(engine: EngineName): fc.Arbitrary<unknown> {
	// a room with its own visitor's token half of the time (what integrations send), else any room and any token
	const ids = fc.oneof(
		fc.constantFrom(...VISITOR_ROOMS),
		fc.record({ rid: fc.constantFrom(...ROOM_IDS), token: fc.constantFrom(...TOKENS) }),
	);
	const known = ids.chain(({ rid, token }) =>
		fc.record({ rid: field(fc.constant(rid), engine), token: field(fc.constant(token), engine), options: optionsArbitrary(engine) }),
	);
	const presence = fc.oneof(
		{ arbitrary: fc.constant(['rid', 'token']), weight: 6 },
		{ arbitrary: fc.constant(['rid', 'token', 'options']), weight: 6 },
		{ arbitrary: fc.subarray(['rid', 'token', 'options']), weight: 1 },
	);
	const extras = fc.oneof(
		{ arbitrary: fc.constant([] as Array<[string, unknown]>), weight: 12 },
		{ arbitrary: fc.array(fc.tuple(fieldName(engine), jsonJunk(engine)), { minLength: 1, maxLength: 3 }), weight: 2 },
	);
	const shaped = fc
		.tuple(known, presence, extras)
		.chain(([values, present, extra]) => {
			const entries = present
				.filter((name) => name in values)
				.map((name): [string, unknown] => [name, (values as Record<string, unknown>)[name]]);
			return fc.shuffledSubarray(entries.concat(extra), { minLength: entries.length + extra.length });
		})
		.map(objectOf);
	return fc.oneof(
		{ arbitrary: shaped, weight: 20 },
		{ arbitrary: fc.array(jsonJunk(engine), { maxLength: 3 }), weight: 1 },
		{ arbitrary: jsonJunk(engine), weight: 1 },
	);
}

/** A form body as Node's querystring (body-parser, not extended) parses the text a client sent. */
export const formBodyArbitrary: fc.Arbitrary<unknown> = fc
	.array(
		fc.tuple(
			fc.oneof(
				{
					arbitrary: fc.constantFrom('rid', 'token', 'options', 'options[comment]', 'options[tags][]', 'comment', 'tags'),
					weight: 6,
				},
				{ arbitrary: fc.constantFrom(...HOSTILE_FIELDS, '__proto__', '%ZZ', 'a%00b'), weight: 1 },
				{ arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
			),
			fc.oneof(
				{ arbitrary: fc.constantFrom(...ROOM_IDS, ...TOKENS), weight: 6 },
				{ arbitrary: anyString, weight: 2 },
				{ arbitrary: fc.constantFrom('%FF', '%E2%82', '+', '%2B', '&', '='), weight: 1 },
			),
		),
		{ minLength: 0, maxLength: 5 },
	)
	.map((pairs) => {
		// a client sends UTF-8 text (no lone surrogates); raw `%` in a name lets through escapes that do not decode
		const escape = (text: string): string => encodeURIComponent(wellFormed(text));
		const text = pairs.map(([key, value]) => `${escape(key).replace(/%25/g, '%')}=${escape(value)}`).join('&');
		// querystring drops nothing: an own `__proto__` field is possible, so the server's parser output is rebuilt
		// without it, as the stand-in's HTTP server (test/server/rest.ts) does
		const parsed = querystring.parse(text);
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(parsed)) {
			if (key !== '__proto__') {
				out[key] = parsed[key];
			}
		}
		return out;
	});

export function closeRequestArbitrary(engine: EngineName): fc.Arbitrary<CloseFuzzRequest> {
	const callerId = fc.oneof({ arbitrary: fc.constant(SEED.callerId), weight: 6 }, { arbitrary: fc.constantFrom(...CALLERS), weight: 2 });
	return fc.oneof(
		{ arbitrary: fc.record({ content: jsonBodyArbitrary(engine), as: fc.constant<'json'>('json'), callerId }), weight: 5 },
		{ arbitrary: fc.record({ content: formBodyArbitrary, as: fc.constant<'form'>('form'), callerId }), weight: 1 },
	);
}

/** The robustness world (world.ts) and a second visitor's rooms: one open, one closed as Rocket.Chat closes. */
export function closeWorldData(): RcData {
	const data = worldData();
	data.rooms.push({
		_id: OTHER_ROOM.id,
		t: 'l',
		fname: 'Other Lonely Caller',
		v: { _id: OTHER_ROOM.visitorId, username: 'guest-167', token: OTHER_ROOM.token, status: 'online' },
		open: true,
		msgs: 2,
		ts: new Date('2021-07-12T09:00:00.000Z'),
		_updatedAt: new Date('2021-07-12T09:01:00.000Z'),
		servedBy: { _id: SEED.agentId, username: 'kim.jane', ts: new Date('2021-07-12T09:00:02.000Z') },
		waitingResponse: true,
	});
	data.rooms.push({
		_id: OTHER_ROOM.closedId,
		t: 'l',
		fname: 'Other Lonely Caller',
		v: { _id: OTHER_ROOM.visitorId, username: 'guest-167', token: OTHER_ROOM.token, status: 'offline' },
		msgs: 4,
		ts: new Date('2021-07-01T09:00:00.000Z'),
		_updatedAt: new Date('2021-07-01T09:20:00.000Z'),
		closedAt: new Date('2021-07-01T09:20:00.000Z'),
		closer: 'visitor',
		closedBy: { _id: OTHER_ROOM.visitorId, username: 'guest-167' },
		metrics: { chatDuration: 1200 },
	});
	return data;
}
