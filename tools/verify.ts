/**
 * `npm run verify -- --url https://chat.example.com --username admin [--create] [--original-urls] [--json]`: the
 * contract (../../shared/spec/CONTRACT.md in the steering repo; docs/api.md) proven on a user's own workspace,
 * where the tests cannot go (no engine of Rocket.Chat 8.5 or later runs outside a Rocket.Chat server).
 *
 * Read-only by default: the workspace (GET /api/info, and the compatibility row of its version from
 * test/engine/lines.ts), the credentials (shared with `npm run deploy`: ./workspace.ts), the app installed and
 * enabled (the apps API when the user has manage-apps, else the endpoint answering with the app's own JSON errors),
 * the contract's errors, and the rate-limit headers. `--create` registers a test visitor through Rocket.Chat's
 * public livechat API, has the app create, find and close its room, runs `/voiproom` in it, and removes the
 * visitor again (Rocket.Chat's DELETE /api/v1/livechat/visitor/:token removes its rooms and messages with it: it
 * refuses while a room of the visitor is open, so an open room is closed first). The cleanup runs whatever failed,
 * and on Ctrl-C; what it could not remove is printed with its ids.
 *
 * It never sends a `__proto__` body: on a workspace without the shield (docs/original-urls.md) that body stops
 * every app's runtime.
 *
 * The app's limiter (5 requests a minute per caller and route by default) is honoured: when a route's
 * X-RateLimit-Remaining reaches 0, the next call to it waits for X-RateLimit-Reset (a run with --create on a
 * default workspace takes about a minute for that reason).
 *
 * Exit codes: 0 every check passed, 1 a check failed (or the workspace or the credentials did), 2 bad usage,
 * 130 interrupted (after the cleanup).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import type { LineRow } from '../test/engine/lines';
import { lineOf, TABLE_DATE } from '../test/engine/lines';
import type { ArgSpec } from './cliArgs';
import { readArgs, textOf } from './cliArgs';
import { ROOT } from './package';
import type { CredentialOptions, HttpAnswer, Session } from './workspace';
import {
	authenticate,
	authHeaders,
	CREDENTIAL_ARGS,
	credentialOptions,
	describeAnswer,
	isEnabledStatus,
	logout,
	commandOptions,
	readInstalledApp,
	request,
	workspaceVersion,
	WorkspaceError,
} from './workspace';

export const USAGE = [
	'usage: npm run verify -- --url URL (--username NAME [--password PASSWORD] [--code 2FA] | --user-id ID --token TOKEN) [--agent-id ID] [--create] [--original-urls] [--json]',
	'  --url            the workspace, e.g. https://chat.example.com',
	'  --username, --password   a user the app lets in (a role of its setting "Allowed roles"); the password is asked',
	'                   on a terminal, or taken from VOIPROOM_VERIFY_PASSWORD; or, instead,',
	'  --user-id, --token       a personal access token of such a user (or VOIPROOM_VERIFY_TOKEN)',
	'  --code           the two-factor code, when the account has 2FA',
	'  --agent-id       the livechat agent the test room is for (default: the user itself); it must be online and available',
	'  --create         CHANGES DATA: registers a test visitor, creates, closes and removes its room, removes the visitor',
	'                   (the run removes everything it made, also on Ctrl-C; what it cannot remove is printed with its ids)',
	'  --original-urls  also the same calls at /api/v1/voip/room and /api/v1/voip/room.close (the proxy rules), compared',
	'  --json           one JSON object instead of the table',
	'  Without --create nothing is written. A __proto__ body is never sent (docs/original-urls.md: check the shield by hand).',
].join('\n');

export interface VerifyOptions extends CredentialOptions {
	agentId?: string;
	create: boolean;
	originalUrls: boolean;
	json: boolean;
}

const ENV_NAMES = { password: 'VOIPROOM_VERIFY_PASSWORD', token: 'VOIPROOM_VERIFY_TOKEN' };

const ARGS: ArgSpec = {
	valued: [...CREDENTIAL_ARGS.valued, '--agent-id'],
	switches: ['--create', '--original-urls', '--json'],
	aliases: CREDENTIAL_ARGS.aliases,
};

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv, canPrompt = false): VerifyOptions {
	const given = readArgs(argv, ARGS);
	return {
		...credentialOptions(given, env, ENV_NAMES, canPrompt),
		agentId: textOf(given, 'agent-id'),
		create: given.create === true,
		originalUrls: given['original-urls'] === true,
		json: given.json === true,
	};
}

/** The check names, as the table, the JSON and the tests name them. */
export const CHECK = {
	workspace: 'workspace',
	credentials: 'credentials',
	app: 'app installed and enabled',
	missingParams: 'missing parameters',
	unknownParam: 'unknown parameter',
	unknownToken: 'unknown token',
	noCredentials: 'no credentials',
	closeUnknownToken: 'close: unknown token',
	rateLimit: 'rate-limit headers',
	visitor: 'test visitor registered',
	created: 'room created',
	again: 'room found again',
	byRid: 'room by rid',
	command: '/voiproom command',
	close: 'room closed',
	closeAgain: 'closed room: close again',
	cleanupClose: 'cleanup: room closed',
	removed: 'test visitor removed',
} as const;

/** `<check> (original URL)`: the same call at /api/v1/…, compared with the app URL's answer. */
export function atOriginalUrl(name: string): string {
	return `${name} (original URL)`;
}

export interface Check {
	name: string;
	ok: boolean;
	detail: string;
	ms: number;
}

export interface VerifyReport {
	workspace: { url: string; version: string | null; row: LineRow | null };
	checks: Check[];
	created: { visitorToken: string | null; roomId: string | null };
	/** nothing the run made is left on the workspace */
	cleanedUp: boolean;
	ok: boolean;
}

export interface VerifyIo {
	/** each check as it ends */
	onCheck?(check: Check): void;
	/** aborted: no further check starts; the cleanup runs */
	signal?: AbortSignal;
	/** a note while the run waits (the app's rate limit) */
	note?(line: string): void;
}

/** The run stopped by its signal (Ctrl-C). */
export class Interrupted extends Error {}

/** The step that failed stops the --create sequence (each step needs the one before). */
class StepFailed extends Error {}

interface AppJson {
	id: string;
	name: string;
}

function appJson(): AppJson {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as AppJson;
}

/** The documented room's keys, in the documented order (test/fixtures: the seed's "Get Call Center Room" example). */
function documentedRoomKeys(): string[] {
	const file = path.join(ROOT, 'test', 'fixtures', 'documented-response.json');
	return Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as { room: Record<string, unknown> }).room);
}

/**
 * The documented keys every room Rocket.Chat creates for a livechat call has (createLivechatRoom and the routing to
 * the agent set them; `default`/`ro`/`sysMes` the server's converter fills): the others (departmentId,
 * customFields, departmentAncestors, lastMessage, metrics) come with a department, custom fields or messages.
 */
const NEW_ROOM_KEYS = [
	'_id',
	'fname',
	't',
	'v',
	'default',
	'ro',
	'sysMes',
	'open',
	'msgs',
	'ts',
	'_updatedAt',
	'lm',
	'usersCount',
	'cl',
	'servedBy',
	'waitingResponse',
];

const COMMENT = 'VoipRoom check (npm run verify): closing the test call';

function madeUp(prefix: string): string {
	return `${prefix}${crypto.randomBytes(8).toString('hex')}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal && signal.aborted) {
			reject(new Interrupted('interrupted'));
			return;
		}
		const timer = setTimeout(() => {
			if (signal) {
				signal.removeEventListener('abort', onAbort);
			}
			resolve();
		}, ms);
		const onAbort = (): void => {
			clearTimeout(timer);
			reject(new Interrupted('interrupted'));
		};
		if (signal) {
			signal.addEventListener('abort', onAbort, { once: true });
		}
	});
}

function same(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** What an answer was, in a few words: `400 {"success":false,"error":"invalid-token"}`, `404 text/html Not Found`. */
function saw(answer: HttpAnswer): string {
	const text = answer.json ? JSON.stringify(answer.json) : `${answer.type} ${answer.text.trim().slice(0, 80)}`.trim();
	return `${answer.status} ${text.length > 160 ? `${text.slice(0, 157)}...` : text}`;
}

type Route = 'voip/room' | 'voip/room.close';

interface AppCall {
	route: Route;
	method: 'GET' | 'POST';
	query?: Record<string, string>;
	/** a JSON object; never one with a `__proto__` key */
	body?: Record<string, unknown>;
	/** false: no X-User-Id / X-Auth-Token */
	auth?: boolean;
	/** at /api/v1/… (the proxy rules) instead of the app's URL */
	original?: boolean;
}

/** The rate-limit headers of one answer, when it had them. */
interface RateHeaders {
	limit: number;
	remaining: number;
	reset: number;
}

function rateHeaders(answer: HttpAnswer): RateHeaders | undefined {
	const read = (name: string): number | undefined => {
		const value = answer.headers.get(name);
		return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
	};
	const limit = read('x-ratelimit-limit');
	const remaining = read('x-ratelimit-remaining');
	const reset = read('x-ratelimit-reset');
	return limit !== undefined && remaining !== undefined && reset !== undefined ? { limit, remaining, reset } : undefined;
}

/** The run's state: what it made, what the limiter said. */
class Run {
	readonly checks: Check[] = [];
	readonly created: { visitorToken: string | null; visitorId: string | null; roomId: string | null } = {
		visitorToken: null,
		visitorId: null,
		roomId: null,
	};
	roomOpen = false;
	/** the cleanup's calls wait for the limiter even after the signal (only a second Ctrl-C stops them) */
	cleaningUp = false;
	private readonly limits = new Map<Route, RateHeaders>();
	private readonly appBase: string;

	constructor(
		readonly options: VerifyOptions,
		readonly io: VerifyIo,
		readonly appId: string,
		public session?: Session,
	) {
		this.appBase = `${options.url}/api/apps/public/${appId}`;
	}

	record(name: string, ok: boolean, detail: string, ms: number): Check {
		const check = { name, ok, detail, ms };
		this.checks.push(check);
		if (this.io.onCheck) {
			this.io.onCheck(check);
		}
		return check;
	}

	stopIfInterrupted(): void {
		if (this.io.signal && this.io.signal.aborted) {
			throw new Interrupted('interrupted');
		}
	}

	url(call: AppCall): string {
		const base = call.original ? `${this.options.url}/api/v1/${call.route}` : `${this.appBase}/${call.route}`;
		const query = call.query ? new URLSearchParams(call.query).toString() : '';
		return query ? `${base}?${query}` : base;
	}

	/** One call of the app's endpoint; waits for the app's limiter when it said so; a 429 is waited out once. */
	async app(call: AppCall): Promise<{ answer: HttpAnswer; ms: number }> {
		if (call.body && Object.prototype.hasOwnProperty.call(call.body, '__proto__')) {
			throw new Error('a __proto__ body is never sent');
		}
		for (let attempt = 1; ; attempt++) {
			await this.waitForLimit(call.route, call.auth !== false);
			const started = Date.now();
			const answer = await request(this.url(call), {
				method: call.method,
				headers: {
					...(call.auth !== false && this.session ? authHeaders(this.session) : {}),
					...(call.body ? { 'Content-Type': 'application/json' } : {}),
				},
				...(call.body ? { body: JSON.stringify(call.body) } : {}),
			});
			const ms = Date.now() - started;
			const limit = rateHeaders(answer);
			if (limit && call.auth !== false) {
				this.limits.set(call.route, limit);
			}
			if (answer.status === 429 && attempt === 1 && limit) {
				continue;
			}
			return { answer, ms };
		}
	}

	private async waitForLimit(route: Route, counted: boolean): Promise<void> {
		const limit = this.limits.get(route);
		if (!counted || !limit || limit.remaining > 0) {
			return;
		}
		const wait = limit.reset - Date.now();
		if (wait > 0) {
			if (this.io.note) {
				this.io.note(
					`waiting ${Math.ceil(wait / 1000)} s: the app allows ${limit.limit} requests per window on ${route} (setting requests_per_minute)`,
				);
			}
			await sleep(wait + 100, this.cleaningUp ? undefined : this.io.signal);
		}
		this.limits.delete(route);
	}

	/** Other REST calls of Rocket.Chat (livechat, commands.run), with the session or none. */
	async rest(
		method: 'POST' | 'DELETE',
		pathname: string,
		body: Record<string, unknown> | undefined,
		auth: boolean,
	): Promise<{ answer: HttpAnswer; ms: number }> {
		const started = Date.now();
		const answer = await request(`${this.options.url}${pathname}`, {
			method,
			headers: {
				...(auth && this.session ? authHeaders(this.session) : {}),
				...(body ? { 'Content-Type': 'application/json' } : {}),
			},
			...(body ? { body: JSON.stringify(body) } : {}),
		});
		return { answer, ms: Date.now() - started };
	}
}

/** The row's words: `8.4: Apps-Engine 1.62.0, Deno 2.3.1; runs every suite (engine 1.62); ended (2026-12-07)`. */
export function describeRow(version: string, row: LineRow | undefined): string {
	if (!row) {
		return `Rocket.Chat ${version}: no row in the compatibility table (it covers 6.7 to 9.1): nothing is proven for it`;
	}
	const lines = row.from === row.to ? row.from : `${row.from}–${row.to}`;
	const proof = row.engine ? `${row.proven} (engine ${row.engine})` : row.proven;
	return `Rocket.Chat ${version}; line ${lines}: Apps-Engine ${row.appsEngine}, ${row.runtime}; ${proof}; ${row.support} as of ${TABLE_DATE}; ${row.differences}`;
}

/** An error answer of the app, exactly: status 400 and the envelope. */
function isEnvelope(answer: HttpAnswer, status: number, body: Record<string, unknown>): boolean {
	return answer.status === status && same(answer.json, body);
}

/** Why an answer to an authenticated call of the app was not what the contract says, where it is plain. */
function explain(answer: HttpAnswer, run: Run): string {
	const json = answer.json;
	if (answer.status === 403 && json && /error-unauthorized/.test(String(json.error))) {
		return `: "${run.session ? run.session.who : ''}" lacks an allowed role (the app's setting "Allowed roles"; the user has ${run.session && run.session.roles.length ? run.session.roles.join(', ') : 'no roles'})`;
	}
	if (answer.status === 404 && !json) {
		return ': the app does not answer there (not installed, or disabled)';
	}
	if (answer.status === 401) {
		return ': the workspace refused the session';
	}
	return '';
}

/** A read-only check of one call: the expected status and body, then the same call at the original URL. */
async function errorCheck(
	run: Run,
	name: string,
	call: AppCall,
	expected: { status: number; body?: Record<string, unknown> },
	answers?: Sent[],
): Promise<void> {
	run.stopIfInterrupted();
	const { answer, ms } = await run.app(call);
	if (answers) {
		answers.push({ answer, original: false });
	}
	const ok = expected.body ? isEnvelope(answer, expected.status, expected.body) : answer.status === expected.status;
	const want = expected.body ? `${expected.status} ${JSON.stringify(expected.body)}` : String(expected.status);
	run.record(name, ok, ok ? saw(answer) : `expected ${want}, got ${saw(answer)}${explain(answer, run)}`, ms);
	if (run.options.originalUrls) {
		const original = await compareAtOriginal(run, name, call, answer);
		if (answers) {
			answers.push({ answer: original, original: true });
		}
	}
}

/** The same call at /api/v1/…: the same status, media type and JSON body as at the app's URL. */
async function compareAtOriginal(run: Run, name: string, call: AppCall, atApp: HttpAnswer): Promise<HttpAnswer> {
	run.stopIfInterrupted();
	const { answer, ms } = await run.app({ ...call, original: true });
	const ok = answer.status === atApp.status && answer.type === atApp.type && same(answer.json, atApp.json);
	const where = `/api/v1/${call.route}`;
	const why =
		answer.status === 404 || !answer.json
			? `: ${where} does not reach the app: the proxy rules are missing or wrong (docs/original-urls.md)`
			: '';
	run.record(
		atOriginalUrl(name),
		ok,
		ok
			? `${where}: the same ${answer.status === 200 ? '200 body' : saw(answer)}`
			: `${where}: ${saw(answer)}, at the app's URL ${saw(atApp)}${why}`,
		ms,
	);
	return answer;
}

/** An answer of one route, in the order sent; `original`: at /api/v1/… (it counts in the same bucket when it reaches the app). */
interface Sent {
	answer: HttpAnswer;
	original: boolean;
}

/** The headers on every answer at the app's URL; Remaining down by one per answer that reached the app, in one window. */
function rateLimitCheck(run: Run, answers: Sent[]): void {
	const seen = answers.filter((sent) => !sent.original).map((sent) => rateHeaders(sent.answer));
	const present = answers.map((sent) => rateHeaders(sent.answer)).filter((headers): headers is RateHeaders => headers !== undefined);
	if (present.length === 0) {
		run.record(CHECK.rateLimit, true, "the limiter is off (the app's requests_per_minute is 0): no X-RateLimit-* headers", 0);
		return;
	}
	const withHeaders = seen.filter((headers) => headers !== undefined).length;
	if (withHeaders !== seen.length) {
		run.record(
			CHECK.rateLimit,
			false,
			`X-RateLimit-* on ${withHeaders} of ${seen.length} answers: the limiter sends them on every answer`,
			0,
		);
		return;
	}
	const now = Date.now();
	const problems: string[] = [];
	present.forEach((headers, i) => {
		if (headers.limit !== present[0].limit || headers.limit <= 0) {
			problems.push(`X-RateLimit-Limit ${headers.limit}`);
		}
		if (headers.reset < now - 1000 || headers.reset > now + 24 * 3600 * 1000) {
			problems.push(`X-RateLimit-Reset ${headers.reset} is not epoch milliseconds of the window's end`);
		}
		const before = present[i - 1];
		if (before && before.reset === headers.reset && headers.remaining !== Math.max(0, before.remaining - 1)) {
			problems.push(`X-RateLimit-Remaining went from ${before.remaining} to ${headers.remaining}`);
		}
	});
	const last = present[present.length - 1];
	run.record(
		CHECK.rateLimit,
		problems.length === 0,
		problems.length === 0
			? `X-RateLimit-Limit ${last.limit}, Remaining ${last.remaining}, Reset in ${Math.max(0, Math.round((last.reset - now) / 1000))} s`
			: problems.join('; '),
		0,
	);
}

/** The app installed and enabled: the apps API with manage-apps, else the endpoint's own JSON error. */
async function appCheck(run: Run, app: AppJson): Promise<boolean> {
	const started = Date.now();
	const installed = await readInstalledApp(run.options.url, run.session as Session, app.id);
	if (installed && !('forbidden' in installed)) {
		const ok = isEnabledStatus(installed.status);
		run.record(
			CHECK.app,
			ok,
			ok
				? `${app.name} ${installed.version}, ${installed.status} (apps API)`
				: `${app.name} ${installed.version} is installed but not enabled: status ${installed.status} (Administration → Apps → ${app.name})`,
			Date.now() - started,
		);
		return ok;
	}
	if (installed === undefined) {
		run.record(
			CHECK.app,
			false,
			`${app.name} (${app.id}) is not installed: GET /api/apps/${app.id} answered 404 (npm run deploy installs it)`,
			Date.now() - started,
		);
		return false;
	}
	// no manage-apps: the endpoint must answer with the app's own JSON (a missing parameter)
	const { answer } = await run.app({ route: 'voip/room', method: 'GET' });
	const ownError = answer.status === 400 && answer.json && answer.json.errorType === 'invalid-params';
	run.record(
		CHECK.app,
		!!ownError,
		ownError
			? `the endpoint answers with the app's own JSON error (the apps API refused "${run.session ? run.session.who : ''}": ${installed.forbidden})`
			: `not installed or not enabled: ${run.url({ route: 'voip/room', method: 'GET' }).replace(run.options.url, '')} answered ${saw(answer)}`,
		Date.now() - started,
	);
	return !!ownError;
}

async function readOnlyChecks(run: Run): Promise<void> {
	const agentId = run.options.agentId || (run.session as Session).userId;
	const probeToken = madeUp('voiproom-verify-unknown-');
	const answers: Sent[] = [];
	await errorCheck(
		run,
		CHECK.missingParams,
		{ route: 'voip/room', method: 'GET' },
		{
			status: 400,
			body: { success: false, error: "must have required property 'token' [invalid-params]", errorType: 'invalid-params' },
		},
		answers,
	);
	await errorCheck(
		run,
		CHECK.unknownParam,
		{ route: 'voip/room', method: 'GET', query: { token: probeToken, agentId, verify: '1' } },
		{
			status: 400,
			body: { success: false, error: "must NOT have additional properties: 'verify' [invalid-params]", errorType: 'invalid-params' },
		},
		answers,
	);
	await errorCheck(
		run,
		CHECK.unknownToken,
		{ route: 'voip/room', method: 'GET', query: { token: probeToken, agentId } },
		{ status: 400, body: { success: false, error: 'invalid-token' } },
		answers,
	);
	await errorCheck(
		run,
		CHECK.noCredentials,
		{ route: 'voip/room', method: 'GET', query: { token: probeToken, agentId }, auth: false },
		{ status: 401 },
	);
	await errorCheck(
		run,
		CHECK.closeUnknownToken,
		{ route: 'voip/room.close', method: 'POST', body: { rid: madeUp('VoipRoomVerify'), token: probeToken } },
		{ status: 400, body: { success: false, error: 'invalid-token' } },
	);
	rateLimitCheck(run, answers);
}

interface RoomAnswer {
	room: Record<string, unknown> & { _id: string; v?: { token?: string }; servedBy?: { _id?: string }; open?: boolean };
	newRoom: boolean;
	success: boolean;
}

function roomBody(answer: HttpAnswer): RoomAnswer | undefined {
	const json = answer.json;
	return json && answer.status === 200 && json.success === true && json.room && typeof (json.room as { _id?: unknown })._id === 'string'
		? (json as unknown as RoomAnswer)
		: undefined;
}

/** The body's keys and the room's: `room, newRoom, success`; the new room's documented keys, in the documented order. */
function shapeProblems(answer: HttpAnswer): string[] {
	const problems: string[] = [];
	const json = answer.json || {};
	if (!same(Object.keys(json), ['room', 'newRoom', 'success'])) {
		problems.push(`the body's keys are ${Object.keys(json).join(', ')}, not room, newRoom, success`);
	}
	const room = (json.room || {}) as Record<string, unknown>;
	const missing = NEW_ROOM_KEYS.filter((key) => !(key in room));
	if (missing.length) {
		problems.push(`the room lacks ${missing.join(', ')}`);
	}
	const documented = documentedRoomKeys();
	const order = Object.keys(room).filter((key) => documented.includes(key));
	const expectedOrder = documented.filter((key) => order.includes(key));
	if (!same(order, expectedOrder)) {
		problems.push(`the room's keys are not in the documented order (${order.join(', ')})`);
	}
	return problems;
}

function fail(run: Run, name: string, detail: string, ms: number): never {
	run.record(name, false, detail, ms);
	throw new StepFailed(name);
}

async function createChecks(run: Run, app: AppJson): Promise<void> {
	const session = run.session as Session;
	const agentId = run.options.agentId || session.userId;
	const token = madeUp('voiproom-verify-');

	run.stopIfInterrupted();
	run.created.visitorToken = token; // before the call: the cleanup tries to remove it even if the answer is lost
	const name = `VoipRoom check (npm run verify, ${new Date().toISOString().slice(0, 19)}Z)`;
	const registered = await run.rest('POST', '/api/v1/livechat/visitor', { visitor: { token, name } }, false);
	const visitor = registered.answer.json && (registered.answer.json.visitor as { _id?: unknown; token?: unknown } | undefined);
	if (registered.answer.status !== 200 || !visitor || visitor.token !== token || typeof visitor._id !== 'string') {
		run.created.visitorToken = registered.answer.status === 200 ? token : null;
		fail(run, CHECK.visitor, `POST /api/v1/livechat/visitor answered ${saw(registered.answer)}`, registered.ms);
	}
	run.created.visitorId = visitor._id;
	run.record(CHECK.visitor, true, `"${name}", token ${token}, id ${visitor._id}`, registered.ms);

	run.stopIfInterrupted();
	const lookup: AppCall = { route: 'voip/room', method: 'GET', query: { token, agentId } };
	const first = await run.app(lookup);
	const created = roomBody(first.answer);
	if (created) {
		run.created.roomId = created.room._id;
		run.roomOpen = created.room.open === true;
	}
	if (!created || created.newRoom !== true) {
		const json = first.answer.json;
		let why = explain(first.answer, run);
		if (first.answer.status === 500) {
			why = `: Rocket.Chat refused to create the room. The usual cause: no agent available (Rocket.Chat's no-agent-online: agent ${agentId} must be online and "available" in Omnichannel); the cause is in the app's log (Administration → Apps → ${app.name} → Logs)`;
		} else if (json && json.error === 'agent-not-found') {
			why = `: ${agentId} is not a livechat agent (give one with --agent-id)`;
		} else if (json && json.error === 'invalid-room') {
			why = ': the app\'s setting "Create a room when none is open" is off';
		}
		fail(run, CHECK.created, `expected 200 with newRoom: true, got ${saw(first.answer)}${why}`, first.ms);
	}
	const roomId = created.room._id;
	const createdOk =
		created.room.v !== undefined && created.room.v.token === token && !!created.room.servedBy && created.room.servedBy._id === agentId;
	if (!createdOk) {
		fail(run, CHECK.created, `room ${roomId} is not the test visitor's served by ${agentId}: ${saw(first.answer)}`, first.ms);
	}
	run.record(CHECK.created, true, `200 newRoom: true, room ${roomId} (t ${String(created.room.t)}), served by ${agentId}`, first.ms);

	run.stopIfInterrupted();
	const second = await run.app(lookup);
	const again = roomBody(second.answer);
	if (!again || again.newRoom !== false || again.room._id !== roomId) {
		fail(run, CHECK.again, `expected 200 with newRoom: false and room ${roomId}, got ${saw(second.answer)}`, second.ms);
	}
	run.record(CHECK.again, true, `200 newRoom: false, the same room ${roomId}`, second.ms);
	if (run.options.originalUrls) {
		const original = await compareAtOriginal(run, CHECK.again, lookup, second.answer);
		if (!same(original.json, second.answer.json)) {
			throw new StepFailed(CHECK.again);
		}
	}

	run.stopIfInterrupted();
	const byRidCall: AppCall = { route: 'voip/room', method: 'GET', query: { token, rid: roomId } };
	const third = await run.app(byRidCall);
	const byRid = roomBody(third.answer);
	if (!byRid || byRid.newRoom !== false || byRid.room._id !== roomId) {
		fail(run, CHECK.byRid, `expected 200 with newRoom: false and room ${roomId}, got ${saw(third.answer)}`, third.ms);
	}
	const problems = shapeProblems(third.answer);
	if (problems.length) {
		fail(run, CHECK.byRid, problems.join('; '), third.ms);
	}
	run.record(CHECK.byRid, true, `200 newRoom: false, room ${roomId}, the documented keys in the documented order`, third.ms);
	if (run.options.originalUrls) {
		const original = await compareAtOriginal(run, CHECK.byRid, byRidCall, third.answer);
		if (!same(original.json, third.answer.json)) {
			throw new StepFailed(CHECK.byRid);
		}
	}

	run.stopIfInterrupted();
	const command = await run.rest('POST', '/api/v1/commands.run', { command: 'voiproom', params: '', roomId }, true);
	if (command.answer.status === 200 && command.answer.json && command.answer.json.success === true) {
		run.record(
			CHECK.command,
			true,
			`/voiproom in room ${roomId}: 200 success (the answer is an ephemeral message to ${session.who})`,
			command.ms,
		);
	} else if (command.answer.status === 403) {
		run.record(
			CHECK.command,
			true,
			`not run: "${session.who}" may not run commands in room ${roomId} (${describeAnswer(command.answer)})`,
			command.ms,
		);
	} else {
		fail(run, CHECK.command, `POST /api/v1/commands.run answered ${saw(command.answer)}`, command.ms);
	}

	run.stopIfInterrupted();
	const closeCall: AppCall = { route: 'voip/room.close', method: 'POST', body: { rid: roomId, token, options: { comment: COMMENT } } };
	const close = await run.app({ ...closeCall, original: run.options.originalUrls });
	if (!isEnvelope(close.answer, 200, { rid: roomId, success: true })) {
		fail(
			run,
			CHECK.close,
			`expected 200 {"rid":"${roomId}","success":true}, got ${saw(close.answer)}${explain(close.answer, run)}`,
			close.ms,
		);
	}
	run.roomOpen = false;
	run.record(
		CHECK.close,
		true,
		`200 {"rid":"${roomId}","success":true}${run.options.originalUrls ? ' at /api/v1/voip/room.close' : ''}`,
		close.ms,
	);

	await errorCheck(run, CHECK.closeAgain, closeCall, { status: 400, body: { success: false, error: 'room-closed' } });
}

/** Removes what the run made: the room closed first (Rocket.Chat refuses to remove a visitor with an open room), then the visitor. */
async function cleanup(run: Run): Promise<boolean> {
	const { visitorToken, roomId } = run.created;
	if (!visitorToken) {
		return true;
	}
	run.cleaningUp = true;
	if (roomId && run.roomOpen) {
		try {
			const { answer, ms } = await run.app({
				route: 'voip/room.close',
				method: 'POST',
				body: { rid: roomId, token: visitorToken, options: { comment: COMMENT } },
			});
			const closed = answer.status === 200 || (answer.json !== undefined && answer.json.error === 'room-closed');
			run.record(CHECK.cleanupClose, closed, `room ${roomId}: ${saw(answer)}`, ms);
			run.roomOpen = !closed;
		} catch (e) {
			run.record(CHECK.cleanupClose, false, `room ${roomId}: ${e instanceof Error ? e.message : String(e)}`, 0);
		}
	}
	try {
		const { answer, ms } = await run.rest('DELETE', `/api/v1/livechat/visitor/${encodeURIComponent(visitorToken)}`, undefined, false);
		const removed = answer.status === 200 && answer.json !== undefined && answer.json.success === true;
		run.record(
			CHECK.removed,
			removed,
			removed
				? `visitor ${visitorToken} removed${roomId ? `, and with it room ${roomId} and its messages` : ''}`
				: `DELETE /api/v1/livechat/visitor/${visitorToken} answered ${saw(answer)}`,
			ms,
		);
		return removed;
	} catch (e) {
		run.record(CHECK.removed, false, e instanceof Error ? e.message : String(e), 0);
		return false;
	}
}

/** Runs the checks; never throws for a workspace that fails them (the report says). Interrupted: after the cleanup. */
export async function verify(
	options: VerifyOptions,
	io: VerifyIo = {},
): Promise<VerifyReport & { leftBehind: string[]; interrupted: boolean }> {
	const app = appJson();
	const run = new Run(options, io, app.id);
	const report = (
		cleanedUp: boolean,
		version: string | null,
		interrupted: boolean,
	): VerifyReport & { leftBehind: string[]; interrupted: boolean } => {
		const leftBehind: string[] = [];
		if (!cleanedUp && run.created.visitorToken) {
			leftBehind.push(
				`the test visitor: token ${run.created.visitorToken}${run.created.visitorId ? `, id ${run.created.visitorId}` : ''}`,
			);
			if (run.created.roomId) {
				leftBehind.push(`its room: id ${run.created.roomId}${run.roomOpen ? ' (open)' : ' (closed)'}`);
			}
		}
		return {
			workspace: { url: options.url, version, row: version ? lineOf(version) || null : null },
			checks: run.checks,
			created: { visitorToken: run.created.visitorToken, roomId: run.created.roomId },
			cleanedUp,
			ok: !interrupted && cleanedUp && run.checks.length > 0 && run.checks.every((check) => check.ok),
			leftBehind,
			interrupted,
		};
	};

	let started = Date.now();
	let version: string;
	try {
		version = await workspaceVersion(options.url);
	} catch (e) {
		if (e instanceof WorkspaceError) {
			run.record(CHECK.workspace, false, e.message, Date.now() - started);
			return report(true, null, false);
		}
		throw e;
	}
	run.record(CHECK.workspace, true, describeRow(version, lineOf(version)), Date.now() - started);

	started = Date.now();
	try {
		run.session = await authenticate(options);
	} catch (e) {
		if (e instanceof WorkspaceError) {
			run.record(CHECK.credentials, false, e.message, Date.now() - started);
			return report(true, version, false);
		}
		throw e;
	}
	const session = run.session;
	run.record(
		CHECK.credentials,
		true,
		`${session.loggedIn ? 'logged in as' : 'personal access token of'} "${session.who}" (${session.userId}; roles ${session.roles.join(', ') || 'none'})`,
		Date.now() - started,
	);

	let interrupted = false;
	let cleanedUp = true;
	try {
		try {
			if (await appCheck(run, app)) {
				await readOnlyChecks(run);
				if (options.create) {
					await createChecks(run, app);
				}
			}
		} catch (e) {
			if (e instanceof Interrupted) {
				interrupted = true;
			} else if (e instanceof WorkspaceError) {
				run.record('workspace', false, e.message, 0);
			} else if (!(e instanceof StepFailed)) {
				throw e;
			}
		} finally {
			cleanedUp = await cleanup(run);
		}
	} finally {
		await logout(options.url, session);
	}
	return report(cleanedUp, version, interrupted);
}

/** The table: check, result, ms, what it saw; one line each. */
export function formatCheck(check: Check, width: number): string {
	return `${check.name.padEnd(width)}  ${check.ok ? 'pass' : 'FAIL'}  ${String(check.ms).padStart(5)}  ${check.detail}`;
}

export const NAME_WIDTH = 40;

export function tableHeader(): string {
	return `${'check'.padEnd(NAME_WIDTH)}  result ${'ms'.padStart(4)}  what it saw`;
}

/** The one summary line. */
export function summary(report: VerifyReport & { leftBehind: string[]; interrupted: boolean }, ms: number): string {
	const failed = report.checks.filter((check) => !check.ok);
	const seconds = `${(ms / 1000).toFixed(1)} s`;
	const left = report.leftBehind.length ? `; LEFT BEHIND (remove by hand): ${report.leftBehind.join('; ')}` : '';
	if (report.interrupted) {
		return `interrupted after ${report.checks.length} checks (${seconds})${report.cleanedUp ? '; everything it created is removed' : ''}${left}`;
	}
	if (failed.length === 0) {
		return `ok: all ${report.checks.length} checks passed on ${report.workspace.url} in ${seconds}`;
	}
	return `FAILED: ${failed.length} of ${report.checks.length} checks on ${report.workspace.url} (${failed.map((check) => check.name).join(', ')}) in ${seconds}${left}`;
}

async function main(): Promise<void> {
	const options = await commandOptions('verify', USAGE, parseArgs);
	const controller = new AbortController();
	let firstSignal = 0;
	const onSignal = (signal: NodeJS.Signals): void => {
		// one Ctrl-C may arrive twice (from the terminal to the process group, and relayed by npm/tsx): a second one
		// within a second is the same
		if (firstSignal === 0) {
			firstSignal = Date.now();
			process.stderr.write(`npm run verify: ${signal}: stopping after the call under way, then removing what it created…\n`);
			controller.abort();
		} else if (Date.now() - firstSignal > 1000) {
			process.stderr.write('npm run verify: stopped before the cleanup ended: see the ids above\n');
			process.exit(130);
		}
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	const began = Date.now();
	// the table starts once the credentials pass: a workspace or credentials that fail are one line (below)
	let held: string[] | undefined = [];
	const print = (line: string): void => {
		if (options.json) {
			return;
		}
		if (held) {
			held.push(line);
		} else {
			console.log(line);
		}
	};
	const result = await verify(options, {
		signal: controller.signal,
		onCheck: (check) => {
			print(formatCheck(check, NAME_WIDTH));
			if (held && check.name === CHECK.credentials && check.ok && !options.json) {
				console.log([tableHeader(), ...held].join('\n'));
				held = undefined;
			}
		},
		note: (line) => print(`${''.padEnd(NAME_WIDTH)}  ....      ${line}`),
	});
	const ms = Date.now() - began;
	const fatal = result.checks.find((check) => !check.ok && (check.name === CHECK.workspace || check.name === CHECK.credentials));
	if (options.json) {
		const { leftBehind, interrupted, ...shape } = result;
		void leftBehind;
		void interrupted;
		console.log(JSON.stringify(shape, null, 2));
	} else if (fatal && held) {
		console.error(`npm run verify: ${fatal.name}: ${fatal.detail}`);
	} else {
		console.log(summary(result, ms));
	}
	process.exit(result.interrupted ? 130 : result.ok ? 0 : 1);
}

if (require.main === module) {
	void main();
}
