/**
 * The test oracle of `voip/room.close`: for a body, a caller and the store, the exact answer CONTRACT §5 prescribes,
 * written from the contract (not from lib/): checks in the core's order (authentication, rate limit, body, role
 * gate), then the room against the Rocket.Chat documents of the store.
 *
 * Body problems are reported first found first: not a JSON object; an unknown field (in key order); rid, token
 * (a list, not a string, empty, over 256 characters); options (not an object, an unknown option, comment not a
 * string or over 4096, tags not an array, over 50 items, an item not a string, empty or over 128); then what is
 * missing (rid, then token). The words are those of the error table of docs/api.md.
 */
import type { EngineName, RcData, RcRoom } from '../engine/host';
import { isDenoEngine } from '../engine/engines';
import type { OracleSettings, Prediction } from './oracle';
import {
	callerOf,
	clientError,
	DEFAULT_SETTINGS,
	FORBIDDEN,
	MAX_LENGTH,
	paramsError,
	shown,
	UNAUTHENTICATED,
	wellFormed,
	wellFormedValue,
} from './oracle';

export const MAX_COMMENT = 4096;
export const MAX_TAGS = 50;
export const MAX_TAG = 128;

/** The answer, or the room a 200 closes. */
export type ClosePrediction = Prediction | { kind: 'closed'; status: 200; roomId: string; visitorId: string };

type Fields = Record<string, unknown>;

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const characters = (text: string): number => Array.from(text).length;

/** A text field's first problem, or undefined. */
function textProblem(name: string, value: unknown, max: number, allowEmpty: boolean): string | undefined {
	if (typeof value !== 'string') {
		return `'${name}' must be a string`;
	}
	if (value.length === 0 && !allowEmpty) {
		return `'${name}' must NOT be empty`;
	}
	if (characters(value) > max) {
		return `'${name}' must NOT have more than ${max} characters`;
	}
	return undefined;
}

function optionsProblem(options: unknown): string | undefined {
	if (!isObject(options)) {
		return `'options' must be an object`;
	}
	const unknown = Object.keys(options).find((key) => key !== 'comment' && key !== 'tags');
	if (unknown !== undefined) {
		return `must NOT have additional properties: ${shown(`options.${unknown}`)}`;
	}
	if (hasOwn(options, 'comment')) {
		const problem = textProblem('options.comment', options.comment, MAX_COMMENT, true);
		if (problem) {
			return problem;
		}
	}
	if (hasOwn(options, 'tags')) {
		const { tags } = options;
		if (!Array.isArray(tags)) {
			return `'options.tags' must be an array`;
		}
		if (tags.length > MAX_TAGS) {
			return `'options.tags' must NOT have more than ${MAX_TAGS} items`;
		}
		for (let i = 0; i < tags.length; i++) {
			const problem = textProblem(`options.tags[${i}]`, tags[i], MAX_TAG, false);
			if (problem) {
				return problem;
			}
		}
	}
	return undefined;
}

/** CONTRACT §5 body rules: the checked rid and token, or the 400 the first problem gives. */
export function checkBody(body: unknown): { rid: string; token: string } | Prediction {
	if (!isObject(body)) {
		return paramsError(`the body must be a JSON object with 'rid' and 'token'`);
	}
	const unknown = Object.keys(body).find((key) => key !== 'rid' && key !== 'token' && key !== 'options');
	if (unknown !== undefined) {
		return paramsError(`must NOT have additional properties: ${shown(unknown)}`);
	}
	for (const name of ['rid', 'token']) {
		if (hasOwn(body, name)) {
			const value = body[name];
			const problem = Array.isArray(value)
				? `'${name}' must be a string, not a list (given more than once?)`
				: textProblem(name, value, MAX_LENGTH, false);
			if (problem) {
				return paramsError(problem);
			}
		}
	}
	if (hasOwn(body, 'options')) {
		const problem = optionsProblem(body.options);
		if (problem) {
			return paramsError(problem);
		}
	}
	for (const name of ['rid', 'token']) {
		if (!hasOwn(body, name)) {
			return paramsError(`must have required property '${name}'`);
		}
	}
	return { rid: body.rid as string, token: body.token as string };
}

const isOmnichannel = (room: RcRoom): boolean => room.t === 'l' || room.t === 'v';

/** CONTRACT §5 resolution against the store: the visitor's room by id, open, a livechat room. */
export function resolveClose(db: RcData, rid: string, token: string): ClosePrediction {
	const room = db.rooms.find((candidate) => candidate._id === rid);
	const visitor = room && room.v ? db.visitors.find((v) => v._id === (room.v as { _id: string })._id && v.disabled !== true) : undefined;
	if (!room || !isOmnichannel(room) || !visitor || visitor.token !== token) {
		if (room && isOmnichannel(room) && !visitor) {
			return clientError('invalid-room');
		}
		return clientError(db.visitors.some((v) => v.token === token) ? 'invalid-room' : 'invalid-token');
	}
	if (room.open !== true) {
		return clientError('room-closed');
	}
	if (room.t !== 'l') {
		return clientError('room-not-closable');
	}
	return { kind: 'closed', status: 200, roomId: room._id, visitorId: visitor._id };
}

/** The whole answer but the rate limit. `received` is the body as the app on that engine receives it. */
export function predictClose(
	db: RcData,
	received: unknown,
	callerId: string | null,
	settings: OracleSettings = DEFAULT_SETTINGS,
): ClosePrediction {
	const caller = callerOf(db, callerId);
	if (!caller) {
		return UNAUTHENTICATED;
	}
	const checked = checkBody(received);
	if (hasOwn(checked, 'kind')) {
		return checked as Prediction;
	}
	if (!caller.roles.some((role) => settings.allowedRoles.indexOf(role) !== -1)) {
		return FORBIDDEN;
	}
	const { rid, token } = checked as { rid: string; token: string };
	return resolveClose(db, rid, token);
}

/** The body as the app on this engine receives it: through a Deno runtime (msgpack, UTF-8), strings well-formed. */
export function bodyAsReceived(engine: EngineName, body: unknown): unknown {
	return isDenoEngine(engine) ? wellFormedValue(body) : body;
}

/** An error message as the client receives it: through a Deno runtime, UTF-8 on the way back too. */
export function closeAsDelivered(engine: EngineName, prediction: ClosePrediction): ClosePrediction {
	if (!isDenoEngine(engine) || prediction.kind !== 'error') {
		return prediction;
	}
	return { ...prediction, body: { ...prediction.body, error: wellFormed(prediction.body.error) } };
}
