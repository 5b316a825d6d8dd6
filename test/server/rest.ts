/**
 * The HTTP side of the stand-in, as Rocket.Chat serves an app (apps/meteor/app/apps/server/bridges/api.ts and
 * router.ts, express 4):
 *
 *   /api/apps/public/{appId}/{path}   every registered endpoint, any method (router.all: the method is the
 *                                     runtime's business, after authentication); body parsed by body-parser
 *                                     1.x's urlencoded() then json(), as router.ts mounts them (see BODY_PARSERS:
 *                                     an own `__proto__` key in a JSON body is KEPT); query by qs (./query.ts);
 *                                     X-User-Id + X-Auth-Token → `user`; an `authRequired` endpoint without a
 *                                     matching user: 401 `Unauthorized` (express' res.send of a string:
 *                                     text/html) before the app runs; the app's status, headers and content
 *                                     through res.set/res.status/res.send; an exception: 500 with its message;
 *                                     an unknown app or path: 404 `Not Found`; a body the parsers refuse:
 *                                     finalhandler's production error page (400, 413, 415)
 *   POST /api/v1/commands.run         Rocket.Chat's REST route for slash commands (body `{ command, params,
 *                                     roomId, tmid? }`), answering `{ messages, success: true }` (see below)
 *   GET /api/info                     which engine, runtime and app this is
 *   /api/v1/login, me, logout and the apps API (/api/apps, /api/apps/:id…) that rc-apps deploy uses: ./appsApi.ts
 *   POST /api/v1/livechat/visitor, DELETE /api/v1/livechat/visitor/:token (npm run verify --create): ./livechatApi.ts
 *
 * Everything else: 404 `Not Found`.
 *
 * WHERE THIS STAND-IN STILL DIFFERS FROM ROCKET.CHAT (the one list; the engine host's own is in
 * test/engine/host/README.md). None of these makes it kinder to a request than Rocket.Chat is:
 *
 * - Only the routes above. No `/api/apps/private/{appId}/{hash}` routes, no UI, no other REST routes, no
 *   websocket (hence the commands.run extension below).
 * - The livechat visitor routes: no route rate limit, no contacts, custom fields or connection data, and a removed
 *   visitor is deleted (7.x+ keeps it disabled): ./livechatApi.ts lists them.
 * - Authentication: X-User-Id + X-Auth-Token against the plain tokens of `db.tokens`; Rocket.Chat compares hashed
 *   login and personal access tokens, and also accepts OAuth (`Authorization: Bearer`, `?access_token=`): the
 *   stand-in drops `access_token` from the query as Rocket.Chat does, but never authenticates by it.
 * - Body parsers: the body-parser package at 1.20.3 (the version express 4.21 pins); Rocket.Chat's own pin in the
 *   7.x/8.x lines was not checked. Every engine gets router.ts's parsers (Rocket.Chat 7.6 to 8.x); the 6.x server
 *   (engine 1.42) parsed app bodies with other, global middlewares, not modelled.
 * - Query: query.ts is a re-implementation of qs 6.13 for express' options, not the qs package.
 * - None of the middlewares around the router: no request log, metrics or tracing (`X-Trace-Id` when
 *   Rocket.Chat's tracing is on), no compression, no CORS.
 * - commands.run: the body is read with JSON.parse or querystring, not Rocket.Chat's REST layer, and the answer
 *   carries the app's ephemeral messages (Rocket.Chat sends them over the websocket).
 * - One process, one instance: no cluster, and no second server process sharing the apps.
 * - Engine timings: APPS_ENGINE_RUNTIME_TIMEOUT is the 30 s default unless the caller sets `runtimeTimeoutMs`;
 *   the Deno liveness check runs the engine's defaults unless the caller sets `liveness` (tests that wait for a
 *   restart do: test/engine/host/liveness.ts). Rocket.Chat cannot change the liveness timings.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import * as querystring from 'querystring';

import * as bodyParser from 'body-parser';

import type { ApiCallRequest, Host, RcData, RcRoom, RcUser } from '../engine/host';
import { sessionUser } from './accounts';
import { isDeployRoute, serveDeployRoute } from './appsApi';
import { isLivechatRoute, serveLivechat } from './livechatApi';
import { parseCommandParams } from './commandParams';
import { sendApiJson, sendErrorPage, sendLikeExpress, sendStatus } from './express';
import type { QueryObject } from './query';
import { parseQueryString } from './query';

/** body-parser's default limit */
const BODY_LIMIT = 100 * 1024;

export interface RestContext {
	readonly host: Host;
	readonly db: RcData;
	/** what GET /api/info answers (besides `success`) */
	info(): Promise<Record<string, unknown>>;
	log(line: string): void;
}

class HttpError extends Error {
	constructor(readonly status: number) {
		super(String(status));
	}
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > BODY_LIMIT) {
				tooLarge = true;
			} else {
				chunks.push(chunk);
			}
		});
		req.on('end', () => (tooLarge ? reject(new HttpError(413)) : resolve(Buffer.concat(chunks))));
		req.on('error', reject);
	});
}

function mediaType(req: IncomingMessage): string {
	return String(req.headers['content-type'] || '')
		.split(';')[0]
		.trim()
		.toLowerCase();
}

/**
 * The body parsers of Rocket.Chat's app router (apps/meteor/app/apps/server/bridges/router.ts, 7.6 to 8.x):
 *
 *   apiServer.use('/api/apps/public/:appId', bodyParser.urlencoded(), bodyParser.json());
 *
 * with body-parser 1.x itself (the package, not a copy), in that order. `urlencoded()` without options is the
 * extended parser in 1.x (`extended = opts.extended !== false`; it only warns that the default will change, which
 * Rocket.Chat's PR #40283 silenced by writing `extended: true`): qs 6.13 with allowPrototypes, depth 32 (deeper:
 * 400), at most 1000 parameters (more: 413), arrays up to max(100, parameter count). qs never makes an own
 * `__proto__` key. `json()`: `application/json` only (not `+json` types), strict (an object or an array), 100 kB,
 * UTF-8/16/32 charsets (others 415), gzip/deflate bodies inflated, and JSON.parse, which KEEPS an own `__proto__`
 * key (`{"__proto__": …}`): this stand-in passes it on, as Rocket.Chat does. A request neither parser takes (no
 * body, another type) reaches the app with `content` `{}`, its body unread.
 */
const BODY_PARSERS = [bodyParser.urlencoded({ extended: true }), bodyParser.json()];

/** A body-parser error: http-errors' `status` (400 bad JSON, 413 too large, 415 charset/encoding, …). */
interface ParserError extends Error {
	status?: number;
}

/** Runs the router's parsers on the request, as express would; the body they made (`req.body`). */
async function parseBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
	for (const parser of BODY_PARSERS) {
		await new Promise<void>((resolve, reject) => {
			parser(req, res, (error?: unknown) => {
				if (error) {
					const status = (error as ParserError).status;
					reject(typeof status === 'number' && status >= 400 && status < 600 ? new HttpError(status) : error);
				} else {
					resolve();
				}
			});
		});
	}
	return (req as IncomingMessage & { body?: unknown }).body;
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/** Users.findOneByIdAndLoginToken: the X-User-Id's user, when X-Auth-Token is one of its tokens. */
export function authenticatedUser(db: RcData, userId: string | undefined, token: string | undefined): RcUser | undefined {
	if (!userId || !token) {
		return undefined;
	}
	const tokens = db.tokens || {};
	if (!Object.prototype.hasOwnProperty.call(tokens, userId) || tokens[userId] !== token) {
		return sessionUser(db, userId, token);
	}
	return db.users.find((user) => user._id === userId);
}

function splitUrl(url: string): { pathname: string; search: string } {
	const hash = url.indexOf('#');
	const bare = hash === -1 ? url : url.slice(0, hash);
	const q = bare.indexOf('?');
	return q === -1 ? { pathname: bare, search: '' } : { pathname: bare.slice(0, q), search: bare.slice(q + 1) };
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

const APPS_PREFIX = /^\/api\/apps\/public\/([^/]+)(\/.*)?$/i;

/** An express route path (non-strict, case-insensitive): `voip/room` matches `/voip/room` and `/VOIP/Room/`. */
function routeMatches(endpointPath: string, rest: string): boolean {
	const wanted = `/${endpointPath.trim().replace(/^\//, '')}`.replace(/\/$/, '').toLowerCase();
	const given = rest.replace(/\/$/, '').toLowerCase();
	return wanted === given;
}

function describeUser(user: RcUser | undefined): string {
	return user ? user.username : 'anonymous';
}

/** The request handler; errors while answering become express' 500 text. */
export function createHandler(ctx: RestContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
	return async (req, res) => {
		const started = Date.now();
		const { pathname, search } = splitUrl(req.url || '/');
		let who: RcUser | undefined;
		const done = (): void => {
			ctx.log(`${req.method} ${req.url} → ${res.statusCode} (${Date.now() - started} ms, ${describeUser(who)})`);
		};
		try {
			const apps = APPS_PREFIX.exec(pathname);
			if (apps) {
				who = await serveApp(ctx, req, res, safeDecode(apps[1]), apps[2] || '/', search);
			} else if (/^\/api\/v1\/commands\.run\/?$/i.test(pathname) && req.method === 'POST') {
				who = await runCommand(ctx, req, res);
			} else if (/^\/api\/info\/?$/i.test(pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
				sendApiJson(req, res, 200, { ...(await ctx.info()), success: true });
			} else if (isLivechatRoute(pathname)) {
				await serveLivechat(ctx.db, req, res, pathname);
			} else if (isDeployRoute(pathname)) {
				who = await serveDeployRoute({ host: ctx.host, db: ctx.db, engine: ctx.host.engine, log: ctx.log }, req, res, pathname);
			} else {
				sendStatus(req, res, 404);
			}
		} catch (e) {
			if (e instanceof HttpError) {
				sendErrorPage(req, res, e.status);
			} else if (!res.headersSent) {
				sendLikeExpress(req, res, { status: 500, body: e instanceof Error ? e.message : String(e) });
			} else {
				res.end();
			}
		}
		done();
	};
}

async function serveApp(
	ctx: RestContext,
	req: IncomingMessage,
	res: ServerResponse,
	appId: string,
	rest: string,
	search: string,
): Promise<RcUser | undefined> {
	const content = await parseBody(req, res);
	// every installed app has its router (the host's app, and any installed with host.installExtra)
	const endpoint = ctx.host.registeredApis(appId).find((route) => routeMatches(route.path, rest));
	if (!endpoint) {
		sendStatus(req, res, 404);
		return undefined;
	}
	const query: QueryObject = parseQueryString(search);
	const userIdHeader = header(req, 'x-user-id');
	const tokenHeader = header(req, 'x-auth-token');
	let user: RcUser | undefined;
	if (userIdHeader && tokenHeader) {
		user = authenticatedUser(ctx.db, userIdHeader, tokenHeader);
	} else {
		// Rocket.Chat tries OAuth (Authorization header / ?access_token=) instead, and always drops the parameter
		delete query.access_token;
	}
	if (endpoint.authRequired && !user) {
		sendLikeExpress(req, res, { status: 401, body: 'Unauthorized' });
		return undefined;
	}
	const headers: Record<string, string> = {};
	for (const name of Object.keys(req.headers)) {
		const value = header(req, name);
		if (value !== undefined) {
			headers[name] = value;
		}
	}
	const result = await ctx.host.call(endpoint.path, {
		appId,
		method: (req.method || 'GET').toLowerCase() as ApiCallRequest['method'],
		query,
		headers,
		content,
		userId: user ? user._id : null,
	});
	try {
		sendLikeExpress(req, res, { status: result.status, headers: result.headers, body: result.content });
	} catch (e) {
		// express: res.set/res.status threw inside the executor's .then, so its .catch answers 500 with the message
		sendLikeExpress(req, res, { status: 500, body: e instanceof Error ? e.message : String(e) });
	}
	return user;
}

/** The room access check of commands.run (canAccessRoomIdAsync), for the rooms this stand-in knows. */
export function canAccessRoom(room: RcRoom | undefined, user: RcUser): boolean {
	if (!room) {
		return false;
	}
	const roles = user.roles || [];
	switch (room.t) {
		case 'c':
			return true;
		case 'l':
		case 'v':
			// view-livechat-rooms (admin, livechat-manager), or the agent serving the room
			return roles.includes('admin') || roles.includes('livechat-manager') || (!!room.servedBy && room.servedBy._id === user._id);
		default:
			return (!!room.u && room.u._id === user._id) || (Array.isArray(room.usernames) && room.usernames.includes(user.username));
	}
}

interface RunBody {
	command: string;
	params?: string | null;
	roomId: string;
	tmid?: string | null;
	triggerId?: string | null;
}

const RUN_PROPERTIES = ['command', 'params', 'roomId', 'tmid', 'triggerId'];

/** The body schema of commands.run, with ajv's first message (as Rocket.Chat's REST layer reports it). */
function checkRunBody(body: unknown): string | undefined {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return 'must be object';
	}
	const fields = body as Record<string, unknown>;
	for (const required of ['command', 'roomId']) {
		if (!Object.prototype.hasOwnProperty.call(fields, required)) {
			return `must have required property '${required}'`;
		}
	}
	if (Object.keys(fields).some((key) => !RUN_PROPERTIES.includes(key))) {
		return 'must NOT have additional properties';
	}
	for (const key of RUN_PROPERTIES) {
		const value = fields[key];
		const nullable = key !== 'command' && key !== 'roomId';
		if (value !== undefined && typeof value !== 'string' && !(nullable && value === null)) {
			return 'must be string';
		}
	}
	return undefined;
}

function apiFailure(req: IncomingMessage, res: ServerResponse, status: number, error: string, errorType?: string): void {
	sendApiJson(req, res, status, { success: false, error, ...(errorType ? { errorType } : {}) });
}

/**
 * POST /api/v1/commands.run as Rocket.Chat has it (apps/meteor/app/api/server/v1/commands.ts): the command runs
 * as the calling user in `roomId` (in the thread `tmid`), its `params` split as Rocket.Chat splits them.
 * Rocket.Chat answers `{ success: true }` and delivers the app's ephemeral messages over the websocket; this
 * stand-in has no websocket, so the messages the app sent the caller meanwhile come back in the answer:
 * `{ messages: [<message documents as Rocket.Chat makes them>], success: true }` (a host-only extension).
 */
async function runCommand(ctx: RestContext, req: IncomingMessage, res: ServerResponse): Promise<RcUser | undefined> {
	const user = authenticatedUser(ctx.db, header(req, 'x-user-id'), header(req, 'x-auth-token'));
	const raw = await readBody(req);
	if (!user) {
		sendApiJson(req, res, 401, { status: 'error', message: 'You must be logged in to do this.' });
		return undefined;
	}
	let body: unknown = {};
	const type = mediaType(req);
	if (raw.length > 0) {
		if (type === 'application/x-www-form-urlencoded') {
			body = { ...querystring.parse(raw.toString('utf8')) };
		} else {
			try {
				body = JSON.parse(raw.toString('utf8')) as unknown;
			} catch {
				apiFailure(req, res, 400, 'The request body is not valid JSON.');
				return user;
			}
		}
	}
	const problem = checkRunBody(body);
	if (problem) {
		apiFailure(req, res, 400, `${problem} [invalid-params]`, 'invalid-params');
		return user;
	}
	const run = body as RunBody;
	const command = run.command.toLowerCase();
	const registered = ctx.host.slashCommands().find((entry) => entry.command === command && entry.enabled);
	if (!registered) {
		apiFailure(req, res, 400, 'The command provided does not exist (or is disabled).');
		return user;
	}
	const room = ctx.db.rooms.find((candidate) => candidate._id === run.roomId);
	if (!canAccessRoom(room, user)) {
		apiFailure(req, res, 403, 'User does not have access to this room');
		return user;
	}
	if (typeof run.tmid === 'string') {
		const tmid = run.tmid;
		const thread = (ctx.db.messages || []).find((message) => message._id === tmid);
		if (!thread || thread.rid !== run.roomId) {
			apiFailure(req, res, 400, 'Invalid thread.');
			return user;
		}
	}
	const args = parseCommandParams(run.params || '');
	let sent;
	try {
		sent = await ctx.host.command(command, {
			userId: user._id,
			roomId: run.roomId,
			args,
			...(typeof run.tmid === 'string' ? { threadId: run.tmid } : {}),
		});
	} catch (e) {
		apiFailure(req, res, 400, e instanceof Error ? e.message : String(e));
		return user;
	}
	const typed = `/${[command, ...args].join(' ')}`;
	for (const message of sent) {
		const recipient = ctx.db.users.find((candidate) => candidate._id === message.userId);
		const to = message.kind === 'notifyUser' ? `ephemeral to ${recipient ? recipient.username : message.userId}` : message.kind;
		const text = String(message.doc.msg || '').split('\n')[0];
		ctx.log(`  ${typed} → ${to} in ${message.roomId}: ${text}`);
	}
	const messages = sent.filter((message) => message.kind === 'notifyUser' && message.userId === user._id).map((message) => message.doc);
	sendApiJson(req, res, 200, { messages, success: true });
	return user;
}
