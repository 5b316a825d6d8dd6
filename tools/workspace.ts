/**
 * What `npm run deploy` (./deploy.ts) and `npm run verify` (./verify.ts) share about a Rocket.Chat workspace: the
 * HTTP requests, the pre-checks (reachable, a Rocket.Chat and its version: GET /api/info), logging in (POST
 * /api/v1/login, or a personal access token checked with GET /api/v1/me) and out, the installed app (GET
 * /api/apps/:id), the URL and credential options, and the hidden password prompt. Every failure is one line
 * (WorkspaceError, with its kind).
 */
import type { ArgSpec } from './cliArgs';
import { textOf, UsageError } from './cliArgs';

export type WorkspaceFailure = 'unreachable' | 'not-rocketchat' | 'credentials' | 'permission';

/** A workspace (or its credentials) that failed a pre-check: one line for the user. */
export class WorkspaceError<Kind extends string = WorkspaceFailure> extends Error {
	constructor(
		readonly kind: Kind,
		message: string,
	) {
		super(message);
	}
}

export const REQUEST_TIMEOUT_MS = 15000;

export interface HttpAnswer {
	status: number;
	/** the media type, without parameters ("no content type" when none) */
	type: string;
	text: string;
	/** the body when it is a JSON object */
	json: Record<string, unknown> | undefined;
	headers: Headers;
}

/** One request; a network failure or no answer within REQUEST_TIMEOUT_MS is a WorkspaceError `unreachable`. */
export async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
	let res: Response;
	try {
		res = await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
	} catch (e) {
		const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
		const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
		const reason =
			e instanceof Error && e.name === 'TimeoutError'
				? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
				: code || (cause instanceof Error ? cause.message : String(cause));
		throw new WorkspaceError('unreachable', `cannot reach ${new URL(url).origin}: ${reason}`);
	}
	const text = await res.text();
	let json: Record<string, unknown> | undefined;
	try {
		const parsed = JSON.parse(text) as unknown;
		json = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		json = undefined;
	}
	return {
		status: res.status,
		type: (res.headers.get('content-type') || 'no content type').split(';')[0],
		text,
		json,
		headers: res.headers,
	};
}

/** `HTTP 403: <message or error>`, or `HTTP 200 text/html` for an answer that is not JSON. */
export function describeAnswer(answer: HttpAnswer): string {
	const json = answer.json;
	const error = json ? [json.message, json.error].find((value) => typeof value === 'string' && value !== '') : undefined;
	return `HTTP ${answer.status}${error !== undefined ? `: ${String(error)}` : json ? '' : ` ${answer.type}`}`;
}

/** GET /api/info: a Rocket.Chat answers JSON with its `version` (major.minor for a caller who is not logged in). */
export async function workspaceVersion(url: string): Promise<string> {
	const info = await request(`${url}/api/info`);
	const version = info.json && typeof info.json.version === 'string' ? info.json.version : undefined;
	if (info.status !== 200 || !version) {
		throw new WorkspaceError(
			'not-rocketchat',
			`${url} is not a Rocket.Chat workspace: GET /api/info answered ${describeAnswer(info)} (give the workspace's own URL)`,
		);
	}
	return version;
}

export interface CredentialOptions {
	url: string;
	username?: string;
	password?: string;
	code?: string;
	userId?: string;
	token?: string;
}

export interface Session {
	userId: string;
	token: string;
	/** a session this script opened (logged out at the end), not the user's personal access token */
	loggedIn: boolean;
	who: string;
	/** the user's roles, as the login or GET /api/v1/me gave them */
	roles: string[];
}

/** The flags of the URL and the credentials, for readArgs (./cliArgs.ts). */
export const CREDENTIAL_ARGS: ArgSpec = {
	valued: ['--url', '--username', '--password', '--code', '--user-id', '--token'],
	switches: [],
	aliases: { '-u': '--username', '-p': '--password', '-i': '--user-id', '-t': '--token', '--userid': '--user-id' },
};

/**
 * `--url` and the credentials from the flags readArgs gave, the password and token also from `env[envNames.*]`.
 * `canPrompt` (a terminal): a missing password is asked for later (promptHidden), so that it need not be typed on
 * the command line, where npm echoes it and writes it to its debug log (~/.npm/_logs).
 */
export function credentialOptions(
	given: Record<string, string | true>,
	env: NodeJS.ProcessEnv,
	envNames: { password: string; token: string },
	canPrompt: boolean,
): CredentialOptions {
	const url = textOf(given, 'url');
	if (!url) {
		throw new UsageError('--url is required');
	}
	if (!/^https?:\/\/[^/\s]+/i.test(url)) {
		throw new UsageError(`--url: not an http(s) URL: ${JSON.stringify(url)}`);
	}
	const options: CredentialOptions = {
		url: url.replace(/\/+$/, ''),
		username: textOf(given, 'username'),
		password: textOf(given, 'password') || (env[envNames.password] ? env[envNames.password] : undefined),
		code: textOf(given, 'code'),
		userId: textOf(given, 'user-id'),
		token: textOf(given, 'token') || (env[envNames.token] ? env[envNames.token] : undefined),
	};
	const byPassword = options.username !== undefined || textOf(given, 'password') !== undefined;
	const byToken = options.userId !== undefined || textOf(given, 'token') !== undefined;
	if (byPassword && byToken) {
		throw new UsageError('give --username/--password or --user-id/--token, not both');
	}
	if (byToken || (!byPassword && options.token)) {
		if (!options.userId || !options.token) {
			throw new UsageError(`a personal access token needs both --user-id and --token (or ${envNames.token})`);
		}
	} else if (!options.username || (!options.password && !canPrompt)) {
		throw new UsageError(`log in with --username and --password (or ${envNames.password}), or with --user-id and --token`);
	}
	return options;
}

function rolesOf(user: unknown): string[] {
	const roles = user !== null && typeof user === 'object' ? (user as { roles?: unknown }).roles : undefined;
	return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

export function authHeaders(session: Session): Record<string, string> {
	return { 'X-User-Id': session.userId, 'X-Auth-Token': session.token };
}

/** Logs in (POST /api/v1/login) or checks the personal access token (GET /api/v1/me). */
export async function authenticate(options: CredentialOptions): Promise<Session> {
	if (options.userId && options.token) {
		const me = await request(`${options.url}/api/v1/me`, { headers: { 'X-User-Id': options.userId, 'X-Auth-Token': options.token } });
		if (me.status === 200 && me.json && me.json.success === true) {
			return {
				userId: options.userId,
				token: options.token,
				loggedIn: false,
				who: String(me.json.username || options.userId),
				roles: rolesOf(me.json),
			};
		}
		if (!me.json) {
			throw new WorkspaceError(
				'not-rocketchat',
				`${options.url} answered GET /api/v1/me with ${describeAnswer(me)}, not Rocket.Chat's JSON`,
			);
		}
		throw new WorkspaceError(
			'credentials',
			`wrong credentials: the workspace refused the personal access token of user id ${options.userId} (${describeAnswer(me)})`,
		);
	}
	const body: Record<string, string> = { username: options.username as string, password: options.password as string };
	if (options.code) {
		body.code = options.code;
	}
	const login = await request(`${options.url}/api/v1/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	const data = login.json && (login.json.data as { userId?: unknown; authToken?: unknown; me?: unknown } | undefined);
	if (login.status === 200 && data && typeof data.userId === 'string' && typeof data.authToken === 'string') {
		return { userId: data.userId, token: data.authToken, loggedIn: true, who: options.username as string, roles: rolesOf(data.me) };
	}
	if (!login.json) {
		throw new WorkspaceError(
			'not-rocketchat',
			`${options.url} answered POST /api/v1/login with ${describeAnswer(login)}, not Rocket.Chat's JSON`,
		);
	}
	if (login.json.error === 'totp-required' || login.json.error === 'totp-invalid') {
		throw new WorkspaceError(
			'credentials',
			`two-factor authentication: the workspace wants ${options.code ? 'another' : 'a'} code for "${options.username}" (--code)`,
		);
	}
	if (login.status === 429) {
		throw new WorkspaceError(
			'credentials',
			`the workspace refused the login of "${options.username}" for now: too many attempts (${describeAnswer(login)})`,
		);
	}
	throw new WorkspaceError(
		'credentials',
		`wrong credentials: the workspace refused the login of "${options.username}" (${describeAnswer(login)})`,
	);
}

/** Ends a session this script opened (POST /api/v1/logout); a personal access token is left alone. */
export async function logout(url: string, session: Session): Promise<void> {
	if (session.loggedIn) {
		await request(`${url}/api/v1/logout`, { method: 'POST', headers: authHeaders(session) }).catch(() => undefined);
	}
}

export interface InstalledApp {
	version: string;
	status: string;
}

/** GET /api/apps/:id answered 403: the user lacks manage-apps (`forbidden`: describeAnswer's words). */
export interface Forbidden {
	forbidden: string;
}

/**
 * GET /api/apps/:id (manage-apps): the installed app, undefined when not installed, Forbidden when the user lacks
 * manage-apps (403); a refused session and an answer that is no apps API throw.
 */
export async function readInstalledApp(url: string, session: Session, appId: string): Promise<InstalledApp | undefined | Forbidden> {
	const answer = await request(`${url}/api/apps/${encodeURIComponent(appId)}`, { headers: authHeaders(session) });
	const app = answer.json && (answer.json.app as { version?: unknown; status?: unknown } | undefined);
	if (answer.status === 200 && app) {
		return { version: String(app.version), status: String(app.status) };
	}
	if (answer.status === 404 && answer.json) {
		return undefined;
	}
	if (answer.status === 403) {
		return { forbidden: describeAnswer(answer) };
	}
	if (answer.status === 401) {
		throw new WorkspaceError(
			'credentials',
			`wrong credentials: the workspace refused the session of "${session.who}" (${describeAnswer(answer)})`,
		);
	}
	throw new WorkspaceError('not-rocketchat', `${url} answered GET /api/apps/${appId} with ${describeAnswer(answer)}: no apps API there`);
}

/** An app's status that is enabled (`auto_enabled`, `manually_enabled`), not `…disabled`, `invalid_…`, `initialized`. */
export function isEnabledStatus(status: string): boolean {
	return /enabled$/.test(status) && !/disabled$/.test(status);
}

/** Replaces every secret in a text by `***` (whatever is printed passes here). */
export function redactor(secrets: Array<string | undefined>): (text: string) => string {
	const list = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4);
	return (text) => list.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Reads a password from the terminal without echoing it; Ctrl-C exits 130. */
export function promptHidden(question: string): Promise<string> {
	return new Promise((resolve) => {
		const stdin = process.stdin;
		process.stderr.write(question);
		stdin.setRawMode(true);
		stdin.setEncoding('utf8');
		stdin.resume();
		let value = '';
		const finish = (): void => {
			stdin.setRawMode(false);
			stdin.pause();
			stdin.off('data', onData);
			process.stderr.write('\n');
		};
		const onData = (chunk: string): void => {
			for (const c of chunk) {
				if (c === '\r' || c === '\n') {
					finish();
					resolve(value);
					return;
				}
				if (c === '\u0003') {
					finish();
					process.exit(130);
				}
				value = c === '\u007f' || c === '\b' ? value.slice(0, -1) : value + c;
			}
		};
		stdin.on('data', onData);
	});
}

/**
 * A command's options from its arguments, the password asked for on a terminal when it was not given; bad usage
 * prints `npm run <command>: <why>` and the usage and exits 2 (`--help`: the usage alone, exit 0).
 */
export async function commandOptions<T extends { url: string; username?: string; password?: string }>(
	command: string,
	usage: string,
	parse: (argv: string[], env: NodeJS.ProcessEnv, canPrompt: boolean) => T,
): Promise<T> {
	try {
		const options = parse(process.argv.slice(2), process.env, process.stdin.isTTY === true);
		if (options.username && !options.password) {
			options.password = await promptHidden(`password of ${options.username} on ${options.url}: `);
		}
		return options;
	} catch (e) {
		if (e instanceof UsageError) {
			if (e.message) {
				console.error(`npm run ${command}: ${e.message}`);
			}
			console.error(usage);
			process.exit(e.message ? 2 : 0);
		}
		throw e;
	}
}
