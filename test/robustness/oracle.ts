/**
 * The test oracle: for a query, a caller and the store, the exact answer CONTRACT §1.1–§1.3 and §1.5 prescribe,
 * written from the contract (not from lib/): checks in the core's order (authentication, rate limit, parameters,
 * role gate), then resolution against the Rocket.Chat documents of the store.
 *
 * Parameter problems are reported first found first: an unknown parameter (in the query's key order), then
 * token, agentId, rid, direction (repeated, not a string, empty, over 256, not one of the directions), then what
 * is missing (token, then agentId when rid is absent). The words are those of the error table of docs/api.md.
 */
import { isDenoEngine } from '../engine/engines';
import type { EngineName, RcData, RcRoom, RcUser, RcVisitor } from '../engine/host';

export const KNOWN_PARAMS = ['token', 'agentId', 'rid', 'direction'] as const;
export const MAX_LENGTH = 256;
export const DIRECTIONS = ['inbound', 'outbound'];
export const DEFAULT_ALLOWED_ROLES = ['livechat-agent', 'livechat-manager', 'admin'];

export type Query = Record<string, unknown>;

export interface ErrorBody {
	success: false;
	error: string;
	errorType?: string;
}

export type Prediction =
	| { kind: 'error'; status: 400 | 401 | 403 | 500; body: ErrorBody }
	| { kind: 'found'; status: 200; roomId: string }
	/** a livechat room is created for this visitor (its id is the server's) */
	| { kind: 'created'; status: 200; visitorToken: string; agentId: string };

export interface OracleSettings {
	allowedRoles: ReadonlyArray<string>;
	createRoom: boolean;
}

export const DEFAULT_SETTINGS: OracleSettings = { allowedRoles: DEFAULT_ALLOWED_ROLES, createRoom: true };

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

export const errorBody = (error: string): ErrorBody => ({ success: false, error });
export const paramsError = (message: string): Prediction => ({
	kind: 'error',
	status: 400,
	body: { success: false, error: `${message} [invalid-params]`, errorType: 'invalid-params' },
});
export const clientError = (error: string): Prediction => ({ kind: 'error', status: 400, body: errorBody(error) });

export const UNAUTHENTICATED: Prediction = { kind: 'error', status: 401, body: errorBody('You must be logged in to do this.') };
export const FORBIDDEN: Prediction = {
	kind: 'error',
	status: 403,
	body: errorBody('User does not have the permissions required for this action [error-unauthorized]'),
};
export const INTERNAL: Prediction = { kind: 'error', status: 500, body: errorBody('Internal server error') };

/** A parameter name as an error message shows it: quoted, the first 64 UTF-16 units, then an ellipsis. */
export function shown(name: string): string {
	return `'${name.length > 64 ? `${name.slice(0, 64)}…` : name}'`;
}

/** What UTF-8 transport does to a string (lone surrogates become U+FFFD), as String.prototype.toWellFormed. */
export function wellFormed(text: string): string {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff) {
			const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
			if (next >= 0xdc00 && next <= 0xdfff) {
				out += text[i] + text[i + 1];
				i += 1;
				continue;
			}
			out += '\uFFFD';
		} else if (unit >= 0xdc00 && unit <= 0xdfff) {
			out += '\uFFFD';
		} else {
			out += text[i];
		}
	}
	return out;
}

export function wellFormedValue(value: unknown): unknown {
	if (typeof value === 'string') {
		return wellFormed(value);
	}
	if (Array.isArray(value)) {
		return value.map(wellFormedValue);
	}
	if (typeof value === 'object' && value !== null) {
		return wellFormedQuery(value as Query);
	}
	return value;
}

/** The query as the app receives it through the Deno runtime (1.62: msgpack carries UTF-8 strings). */
export function wellFormedQuery(query: Query): Query {
	const out: Query = {};
	for (const key of Object.keys(query)) {
		Object.defineProperty(out, wellFormed(key), {
			value: wellFormedValue(query[key]),
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return out;
}

/** The query as the app on this engine receives it. */
export function asReceived(engine: EngineName, query: Query): Query {
	return isDenoEngine(engine) ? wellFormedQuery(query) : query;
}

/** An error message as the client receives it: through the Deno runtime, UTF-8 on the way back too. */
export function asDelivered(engine: EngineName, prediction: Prediction): Prediction {
	if (!isDenoEngine(engine) || prediction.kind !== 'error') {
		return prediction;
	}
	return { ...prediction, body: { ...prediction.body, error: wellFormed(prediction.body.error) } };
}

export interface CheckedQuery {
	token: string;
	agentId?: string;
	rid?: string;
	direction?: string;
}

/** CONTRACT §1.1: the checked parameters, or the 400 the first problem gives. */
export function checkParams(received: Query): CheckedQuery | Prediction {
	for (const key of Object.keys(received)) {
		if ((KNOWN_PARAMS as ReadonlyArray<string>).indexOf(key) === -1) {
			return paramsError(`must NOT have additional properties: ${shown(key)}`);
		}
	}
	const values: Record<string, string> = {};
	for (const name of KNOWN_PARAMS) {
		if (!hasOwn(received, name)) {
			continue;
		}
		const value = received[name];
		if (Array.isArray(value)) {
			return paramsError(`'${name}' must be given once, not repeated`);
		}
		if (typeof value !== 'string') {
			return paramsError(`'${name}' must be a string`);
		}
		if (value.length === 0) {
			return paramsError(`'${name}' must NOT be empty`);
		}
		if (Array.from(value).length > MAX_LENGTH) {
			// characters as code points, as the core's validator counted them
			return paramsError(`'${name}' must NOT have more than ${MAX_LENGTH} characters`);
		}
		if (name === 'direction' && DIRECTIONS.indexOf(value) === -1) {
			return paramsError(`'direction' must be equal to one of the allowed values: ${DIRECTIONS.join(', ')}`);
		}
		values[name] = value;
	}
	if (values.token === undefined) {
		return paramsError(`must have required property 'token'`);
	}
	if (values.rid === undefined && values.agentId === undefined) {
		return paramsError(`must have required property 'agentId'`);
	}
	return { token: values.token, agentId: values.agentId, rid: values.rid, direction: values.direction };
}

export function isPrediction(value: CheckedQuery | Prediction): value is Prediction {
	return hasOwn(value, 'kind');
}

/** Rocket.Chat's user converter finds the caller by id; no user, no `request.user`. */
export function callerOf(db: RcData, callerId: string | null): RcUser | undefined {
	return callerId === null ? undefined : db.users.find((user) => user._id === callerId);
}

function visitorOfRoom(db: RcData, room: RcRoom): RcVisitor | undefined {
	const ref = room.v;
	return ref ? db.visitors.find((visitor) => visitor._id === ref._id && visitor.disabled !== true) : undefined;
}

const isOmnichannel = (room: RcRoom): boolean => room.t === 'l' || room.t === 'v';

function openLivechatRoomsOf(db: RcData, token: string): Array<RcRoom> {
	return db.rooms.filter((room) => room.t === 'l' && room.open === true && !!room.v && room.v.token === token);
}

/** CONTRACT §1.3, against the store. */
export function resolve(db: RcData, query: CheckedQuery, settings: OracleSettings): Prediction {
	const visitorExists = db.visitors.some((visitor) => visitor.token === query.token);
	if (query.rid !== undefined) {
		const rid = query.rid;
		const room = db.rooms.find((candidate) => candidate._id === rid);
		if (room && isOmnichannel(room)) {
			const visitor = visitorOfRoom(db, room);
			if (visitor && visitor.token === query.token) {
				return { kind: 'found', status: 200, roomId: room._id };
			}
			if (!visitor) {
				return clientError('invalid-room');
			}
		}
		return clientError(visitorExists ? 'invalid-room' : 'invalid-token');
	}
	if (!visitorExists) {
		return clientError('invalid-token');
	}
	const open = openLivechatRoomsOf(db, query.token);
	const served = open.find((room) => !!room.servedBy && room.servedBy._id === query.agentId);
	const newest = open.reduce<RcRoom | undefined>(
		(best, room) => (!best || (room.ts ? room.ts.getTime() : 0) > (best.ts ? best.ts.getTime() : 0) ? room : best),
		undefined,
	);
	const found = served || newest;
	if (found) {
		return { kind: 'found', status: 200, roomId: found._id };
	}
	const agentId = query.agentId as string;
	if (!settings.createRoom) {
		return clientError('invalid-room');
	}
	const agent = db.users.find((user) => user._id === agentId);
	if (!agent || !Array.isArray(agent.roles) || agent.roles.indexOf('livechat-agent') === -1) {
		return clientError('agent-not-found');
	}
	return { kind: 'created', status: 200, visitorToken: query.token, agentId };
}

/**
 * The whole answer but the rate limit (CONTRACT §1.2 puts it between authentication and parameters: see
 * rateLimited.ts). `received` is the query as the app on that engine receives it.
 */
export function predict(db: RcData, received: Query, callerId: string | null, settings: OracleSettings = DEFAULT_SETTINGS): Prediction {
	const caller = callerOf(db, callerId);
	if (!caller) {
		return UNAUTHENTICATED;
	}
	const checked = checkParams(received);
	if (isPrediction(checked)) {
		return checked;
	}
	if (!caller.roles.some((role) => settings.allowedRoles.indexOf(role) !== -1)) {
		return FORBIDDEN;
	}
	return resolve(db, checked, settings);
}

/**
 * Whether the answer depends on (or changes) what other requests of the same run may create: a lookup
 * without `rid` for a known visitor who has no open room. Such requests run one at a time in the fuzz.
 */
export function isStateful(prediction: Prediction): boolean {
	return prediction.kind === 'created' || (prediction.kind === 'error' && prediction.body.error === 'agent-not-found');
}
