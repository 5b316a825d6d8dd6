/**
 * What Rocket.Chat's REST framework does around a route of `/api/v1` and `/api/apps` (apps/meteor/app/api/server/ApiClass.ts),
 * for the routes the stand-in adds for `rc-apps deploy` (./accounts.ts, ./appsApi.ts):
 *
 *   - `authRequired`: X-User-Id + X-Auth-Token must match a user (a static token of the data, or a login session),
 *     else 401 `You must be logged in to do this.`;
 *   - `permissionsRequired`: else 403 `User does not have the permissions required for this action [error-unauthorized]`
 *     (`[error-forbidden]` from 8.0 on);
 *   - an exception in the action: 400 `{ success: false, error: <message> }` (plus `errorType` for a Meteor error);
 *   - API.v1.success/failure/notFound/internalError bodies, `success` last.
 *
 * The pre-8.0 compatibility fields (`status: 'error'`, `message`) follow ApiClass' `applyBreakingChanges`
 * (shouldBreakInVersion('8.0.0')), read from the engine table's Rocket.Chat line.
 */
import type { IncomingMessage, ServerResponse } from 'http';

import { ENGINE_TABLE } from '../engine/engines';
import type { EngineName, RcUser } from '../engine/host';
import { sendApiJson } from './express';

/** body-parser's default limit, as for the JSON bodies of /api/v1 */
const JSON_BODY_LIMIT = 100 * 1024;

/** A Meteor.Error as @rocket.chat/core-services' MeteorError makes it: the message is the error code. */
export class MeteorError extends Error {
	constructor(
		readonly error: string,
		readonly reason?: string,
	) {
		super(reason ? `${reason} [${error}]` : error);
	}
}

/** An answer decided before or inside an action (401, 403, 404, failures). */
export class RestAnswer extends Error {
	constructor(
		readonly status: number,
		readonly body: Record<string, unknown>,
	) {
		super(String(body.error || status));
	}
}

/** The Rocket.Chat version the engine stands for, major.minor as /api/info gives it (engine table: '8.0.0' → '8.0'). */
export function rocketChatVersion(engine: EngineName): string {
	return ENGINE_TABLE[engine].serverVersion.split('.').slice(0, 2).join('.');
}

/** ApiClass' applyBreakingChanges: true on 8.0 and later. */
export function appliesBreakingChanges(engine: EngineName): boolean {
	return Number(rocketChatVersion(engine).split('.')[0]) >= 8;
}

/** API.v1.success(result): `success: true` added last. */
export function sendSuccess(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown> = {}): void {
	sendApiJson(req, res, 200, { ...result, success: true });
}

/** API.v1.failure(message, errorType): 400 `{ success: false, error, errorType? }`. */
export function failure(error: string, errorType?: string): RestAnswer {
	return new RestAnswer(400, { success: false, error, ...(errorType ? { errorType } : {}) });
}

/** API.v1.failure(object): 400, the object with `success: false`. */
export function failureObject(body: Record<string, unknown>): RestAnswer {
	return new RestAnswer(400, { ...body, success: false });
}

export function notFound(error: string): RestAnswer {
	return new RestAnswer(404, { success: false, error });
}

export function internalError(error = 'Internal server error'): RestAnswer {
	return new RestAnswer(500, { success: false, error });
}

/** The 401 of an `authRequired` route without a user. */
export function notLoggedIn(engine: EngineName): RestAnswer {
	const message = 'You must be logged in to do this.';
	return new RestAnswer(401, {
		success: false,
		error: message,
		...(appliesBreakingChanges(engine) ? {} : { status: 'error', message }),
	});
}

/** The 403 of `permissionsRequired` (a Meteor.Error caught by the route wrapper: forbidden with its message). */
export function lacksPermission(engine: EngineName): RestAnswer {
	const code = appliesBreakingChanges(engine) ? 'error-forbidden' : 'error-unauthorized';
	return new RestAnswer(403, { success: false, error: `User does not have the permissions required for this action [${code}]` });
}

/** What the route wrapper answers for an exception thrown by an action. */
export function answerForError(e: unknown): RestAnswer {
	if (e instanceof RestAnswer) {
		return e;
	}
	if (typeof e === 'string') {
		return failure(e);
	}
	if (e instanceof MeteorError) {
		return failure(e.message, e.error);
	}
	// the engine throws some errors that are not Error instances (RequiredApiVersionError): their `message` counts
	const message =
		e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
			? (e as { message: string }).message
			: String(e);
	return failure(message);
}

export function sendAnswer(req: IncomingMessage, res: ServerResponse, answer: RestAnswer): void {
	// an early answer leaves the request body unread: drain it, so that the client sees the answer, not a reset
	req.resume();
	sendApiJson(req, res, answer.status, answer.body);
}

/**
 * Rocket.Chat's default roles give `manage-apps` to `admin` only (apps/meteor/app/authorization/server/constant/
 * permissions.ts); the stand-in has no permissions collection, so it reads the default mapping.
 */
const PERMISSION_ROLES: Readonly<Record<string, ReadonlyArray<string>>> = {
	'manage-apps': ['admin'],
};

export function hasPermission(user: RcUser, permission: string): boolean {
	const roles = PERMISSION_ROLES[permission] || [];
	return (user.roles || []).some((role) => roles.includes(role));
}

export function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/** Reads a body up to `limit` bytes; larger: 413, as body-parser. */
export function readBody(req: IncomingMessage, limit = JSON_BODY_LIMIT): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limit) {
				chunks.push(chunk);
			}
		});
		req.on('end', () =>
			size > limit
				? reject(new RestAnswer(413, { success: false, error: 'request entity too large' }))
				: resolve(Buffer.concat(chunks)),
		);
		req.on('error', reject);
	});
}

export function mediaType(req: IncomingMessage): string {
	return String(req.headers['content-type'] || '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

/** express.json() + express.urlencoded() as mounted for /api/v1: an object, or `{}` (no body, another type). */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
	const raw = await readBody(req);
	if (raw.length === 0) {
		return {};
	}
	const type = mediaType(req);
	const text = raw.toString('utf8');
	if (type === 'application/json' || /^application\/[^/]+\+json$/.test(type)) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text) as unknown;
		} catch {
			throw new RestAnswer(400, { success: false, error: 'The request body is not valid JSON.' });
		}
		return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
			? withoutProtoKey(parsed as Record<string, unknown>)
			: {};
	}
	if (type === 'application/x-www-form-urlencoded') {
		return Object.fromEntries(new URLSearchParams(text));
	}
	return {};
}

function withoutProtoKey(value: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value)) {
		if (key !== '__proto__') {
			out[key] = value[key];
		}
	}
	return out;
}
