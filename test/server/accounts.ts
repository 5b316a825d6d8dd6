/**
 * Logging in over REST, as Rocket.Chat answers it, for `rc-apps` and `npm run deploy`:
 *
 *   POST /api/v1/login    ApiClass' login route (apps/meteor/app/api/server/ApiClass.ts, `_initAuth`): body
 *                         `{ user | username | email, password, code? }` (password plain, or `{ digest, algorithm:
 *                         'sha-256' }`); success `{ status: 'success', data: { userId, authToken, me }, success: true }`;
 *                         a failed login is 401 (before 8.0 with `status: 'error'`, the Meteor error and its reason)
 *   GET  /api/v1/me       apps/meteor/app/api/server/v1/misc.ts: the caller's user document (getUserInfo), no secrets
 *   POST /api/v1/logout   ApiClass: removes the request's login token; `{ status: 'success', data: { message } }`
 *
 * A login makes a new token per call and keeps the others (Meteor's services.resume.loginTokens); the tokens live
 * beside the data (not in it), and authenticate like the data's own `tokens` everywhere on the server.
 * Passwords: `services.password.sha256` holds the hex SHA-256 of the password, which is what a Rocket.Chat client
 * sends as `digest` (Rocket.Chat stores bcrypt of it; the stand-in compares the digest itself).
 */
import * as crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';

import type { EngineName, RcData, RcUser } from '../engine/host';
import {
	answerForError,
	appliesBreakingChanges,
	header,
	internalError,
	notLoggedIn,
	readJsonBody,
	RestAnswer,
	sendAnswer,
	sendSuccess,
} from './restApi';
import { sendApiJson } from './express';

/** login token → user id, per data store */
const sessions = new WeakMap<RcData, Map<string, string>>();

function sessionsOf(db: RcData): Map<string, string> {
	let map = sessions.get(db);
	if (!map) {
		map = new Map();
		sessions.set(db, map);
	}
	return map;
}

export function sha256Hex(text: string): string {
	return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Gives a user a password (stored as its SHA-256 digest under services.password). */
export function setPassword(user: RcUser, password: string): void {
	const services = (user.services || {}) as Record<string, unknown>;
	user.services = { ...services, password: { sha256: sha256Hex(password) } };
}

function passwordDigest(user: RcUser): string | undefined {
	const services = user.services as { password?: { sha256?: unknown } } | undefined;
	const digest = services && services.password ? services.password.sha256 : undefined;
	return typeof digest === 'string' ? digest : undefined;
}

/** The user a login token (from POST /api/v1/login) belongs to, when it is that X-User-Id's. */
export function sessionUser(db: RcData, userId: string | undefined, token: string | undefined): RcUser | undefined {
	if (!userId || !token) {
		return undefined;
	}
	return sessionsOf(db).get(token) === userId ? db.users.find((user) => user._id === userId) : undefined;
}

/** Static tokens of the data (`tokens`), then login sessions: Users.findOne by _id and hashed login token. */
export function requestUser(db: RcData, req: IncomingMessage): RcUser | undefined {
	const userId = header(req, 'x-user-id');
	const token = header(req, 'x-auth-token');
	if (!userId || !token) {
		return undefined;
	}
	const tokens = db.tokens || {};
	if (Object.prototype.hasOwnProperty.call(tokens, userId) && tokens[userId] === token) {
		return db.users.find((user) => user._id === userId);
	}
	return sessionUser(db, userId, token);
}

export function loginTokenCount(db: RcData): number {
	return sessionsOf(db).size;
}

/** A Meteor login failure (Meteor.Error(403, reason)), as the login route turns it into a 401. */
function loginFailed(engine: EngineName, error: number | string, reason: string): RestAnswer {
	if (appliesBreakingChanges(engine)) {
		return new RestAnswer(401, { success: false, error: 'unauthorized' });
	}
	const unknownUser = reason === 'User not found';
	return new RestAnswer(401, {
		success: false,
		status: 'error',
		error: unknownUser ? 'Unauthorized' : error,
		message: unknownUser ? 'Unauthorized' : reason,
	});
}

function findLoginUser(db: RcData, body: Record<string, unknown>): RcUser | undefined {
	const { user, username, email } = body;
	const byName = (name: string): RcUser | undefined => db.users.find((candidate) => candidate.username === name);
	const byEmail = (address: string): RcUser | undefined =>
		db.users.find((candidate) => (candidate.emails || []).some((entry) => entry.address.toLowerCase() === address.toLowerCase()));
	if (typeof user === 'string') {
		return user.includes('@') ? byEmail(user) : byName(user);
	}
	if (typeof username === 'string') {
		return byName(username);
	}
	return typeof email === 'string' ? byEmail(email) : undefined;
}

/** The digest the client's password stands for: SHA-256 of a plain password, or the `digest` it sent. */
function givenDigest(password: unknown): string | undefined {
	if (typeof password === 'string') {
		return sha256Hex(password);
	}
	if (password !== null && typeof password === 'object') {
		const { digest, algorithm } = password as { digest?: unknown; algorithm?: unknown };
		if (typeof digest === 'string' && algorithm === 'sha-256') {
			return digest.toLowerCase();
		}
	}
	return undefined;
}

function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** getUserInfo's shape, from the stored document (services and tokens never leave). */
function userInfo(user: RcUser): Record<string, unknown> {
	const { services, ...rest } = user;
	void services;
	const emails = user.emails || [];
	return {
		...JSON.parse(JSON.stringify(rest)),
		...(emails.length ? { email: emails[0].address } : {}),
		settings: { preferences: (user.settings && user.settings.preferences) || {} },
	};
}

async function login(db: RcData, engine: EngineName, req: IncomingMessage): Promise<Record<string, unknown>> {
	const body = await readJsonBody(req);
	const password = body.password;
	const extra = Object.keys(body).filter((key) => !['user', 'username', 'email', 'password', 'code'].includes(key));
	if (password === undefined || password === null || extra.length > 0) {
		// loginCompatibility passes such a body on as it is, and Meteor's login finds no handler for it
		throw loginFailed(engine, 400, 'Unrecognized options for login request');
	}
	const user = findLoginUser(db, body);
	if (!user) {
		throw loginFailed(engine, 403, 'User not found');
	}
	const stored = passwordDigest(user);
	const given = givenDigest(password);
	if (!stored) {
		throw loginFailed(engine, 403, 'User has no password set');
	}
	if (given === undefined || !sameText(stored, given)) {
		throw loginFailed(engine, 403, 'Incorrect password');
	}
	if (!user.active) {
		throw loginFailed(engine, 403, 'User is deactivated');
	}
	const authToken = crypto.randomBytes(32).toString('base64url');
	sessionsOf(db).set(authToken, user._id);
	return { status: 'success', data: { userId: user._id, authToken, me: userInfo(user) } };
}

/** The routes of this module, or false for another path. */
export function isAccountsRoute(pathname: string): boolean {
	return /^\/api\/v1\/(login|me|logout)\/?$/i.test(pathname);
}

/** Serves POST /api/v1/login, GET /api/v1/me, POST /api/v1/logout; returns the user it served. */
export async function serveAccounts(
	db: RcData,
	engine: EngineName,
	req: IncomingMessage,
	res: ServerResponse,
	pathname: string,
): Promise<RcUser | undefined> {
	const route = pathname.replace(/\/$/, '').split('/').pop()!.toLowerCase();
	const method = req.method || 'GET';
	try {
		if (route === 'login' && method === 'POST') {
			const result = await login(db, engine, req);
			sendSuccess(req, res, result);
			return db.users.find((user) => user._id === (result.data as { userId: string }).userId);
		}
		const user = requestUser(db, req);
		if ((route === 'me' && method === 'GET') || (route === 'logout' && (method === 'POST' || method === 'GET'))) {
			if (!user) {
				throw notLoggedIn(engine);
			}
			if (route === 'me') {
				sendSuccess(req, res, userInfo(user));
			} else {
				sessionsOf(db).delete(header(req, 'x-auth-token') as string);
				req.resume();
				sendApiJson(req, res, 200, { status: 'success', data: { message: "You've been logged out!" } });
			}
			return user;
		}
		req.resume();
		sendApiJson(req, res, 404, { success: false, error: 'Not found' });
		return user;
	} catch (e) {
		const answer = e instanceof RestAnswer ? e : e instanceof Error ? internalError() : answerForError(e);
		sendAnswer(req, res, answer);
		return undefined;
	}
}
