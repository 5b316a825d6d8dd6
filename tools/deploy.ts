/**
 * `npm run deploy -- --url https://chat.example.com --username admin --password …` (or `--user-id … --token …`):
 * installs the app in a Rocket.Chat workspace, or updates it in place when it is there, with the real
 * `rc-apps deploy` (@rocket.chat/apps-cli 1.9.0) run on the staging copy `npm run package` uses (./package.ts).
 *
 * Before the CLI compiles (about 20 s) the workspace is checked with the requests the CLI itself makes, so that
 * each problem is one clear line at once: unreachable, not a Rocket.Chat (GET /api/info), wrong credentials
 * (POST /api/v1/login or GET /api/v1/me), no `manage-apps` (GET /api/apps/:id answers 403). What the CLI reports
 * later (the server refused the app, with its message) is mapped to one line too.
 *
 * Traps of apps-cli 1.9.0 this works around (its lib/misc/deployHelpers.js and lib/commands/deploy.js):
 * - `-i/--userid` is parsed as `userid` but read as `userId`, so a personal access token given on the command
 *   line never works. Credentials go to the CLI through a `.rcappsconfig` (`url`, `userId`, `token`) written, mode
 *   0600, into the staging copy only, and removed with it; a password never reaches the CLI: this script logs in
 *   once, hands the CLI that session's token, and logs the session out at the end.
 * - The CLI logs in twice per deploy (login is rate-limited by Rocket.Chat, 10 a minute per IP by default); with a
 *   token it only calls GET /api/v1/me.
 * - It rewrites app.json in the folder it runs in (requiredApiVersion from package.json, `implements`): the
 *   staging copy keeps the work tree untouched.
 * - An unreachable server and one that answers something else than JSON are one message ("Problems conecting");
 *   a refused upload without `error` is "Deployment error: undefined"; errors are wrapped twice ("Error: …").
 * - `--update` when the app is not installed fails; without it the CLI finds out itself (GET /api/apps/:id).
 *
 * Exit codes: 0 deployed, 1 a deploy that failed (one line on stderr), 2 bad usage.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { ROOT, stageApp } from './package';

export const USAGE = [
	'usage: npm run deploy -- --url URL (--username NAME --password PASSWORD [--code 2FA] | --user-id ID --token TOKEN) [--app-dir DIR] [--verbose]',
	'  --url        the workspace, e.g. https://chat.example.com',
	'  --username, --password   an administrator (the user needs the manage-apps permission); or, instead,',
	'  --user-id, --token       a personal access token of such a user (Profile → Personal Access Tokens)',
	'  --code       the two-factor code, when the account has 2FA by e-mail or TOTP',
	'  --app-dir    the app folder to deploy (default: this repository)',
	'  --verbose    show what rc-apps prints',
	'  The password and token may also come from VOIPROOM_DEPLOY_PASSWORD / VOIPROOM_DEPLOY_TOKEN (kept out of the process list).',
].join('\n');

export interface DeployOptions {
	url: string;
	username?: string;
	password?: string;
	code?: string;
	userId?: string;
	token?: string;
	appDir: string;
	verbose: boolean;
}

export type FailureKind = 'unreachable' | 'not-rocketchat' | 'credentials' | 'permission' | 'refused' | 'compile' | 'cli';

/** A deploy that failed: one line for the user. */
export class DeployError extends Error {
	constructor(
		readonly kind: FailureKind,
		message: string,
	) {
		super(message);
	}
}

export class UsageError extends Error {}

export interface DeployResult {
	action: 'installed' | 'updated';
	appId: string;
	name: string;
	version: string;
	previousVersion?: string;
	status: string;
	/** ms: checks before the CLI, the CLI (compile + upload), the check after */
	timings: { preflight: number; cli: number; total: number };
}

const ENV_PASSWORD = 'VOIPROOM_DEPLOY_PASSWORD';
const ENV_TOKEN = 'VOIPROOM_DEPLOY_TOKEN';
const CLI = path.join(ROOT, 'node_modules', '@rocket.chat', 'apps-cli', 'bin', 'run');
const REQUEST_TIMEOUT_MS = 15000;
const CLI_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The options; `canPrompt` (a terminal): a missing password is asked for later (promptPassword), so that it need
 * not be typed on the command line, where npm echoes it and writes it to its debug log (~/.npm/_logs).
 */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv, canPrompt = false): DeployOptions {
	const given: Record<string, string | boolean> = {};
	const valued = ['--url', '--username', '--password', '--code', '--user-id', '--token', '--app-dir'];
	const aliases: Record<string, string> = {
		'-u': '--username',
		'-p': '--password',
		'-i': '--user-id',
		'-t': '--token',
		'--userid': '--user-id',
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
		const rawFlag = eq === -1 ? arg : arg.slice(0, eq);
		const flag = aliases[rawFlag] || rawFlag;
		if (flag === '--help' || flag === '-h') {
			throw new UsageError('');
		}
		if (flag === '--verbose' || flag === '-v') {
			given.verbose = true;
			continue;
		}
		if (!valued.includes(flag)) {
			throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
		}
		let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
		if (value === undefined) {
			value = argv[i + 1];
			if (value === undefined || value.startsWith('-')) {
				throw new UsageError(`${flag} needs a value`);
			}
			i += 1;
		}
		given[flag.slice(2)] = value;
	}
	const text = (key: string): string | undefined =>
		typeof given[key] === 'string' && given[key] !== '' ? (given[key] as string) : undefined;
	const url = text('url');
	if (!url) {
		throw new UsageError('--url is required');
	}
	if (!/^https?:\/\/[^/\s]+/i.test(url)) {
		throw new UsageError(`--url: not an http(s) URL: ${JSON.stringify(url)}`);
	}
	const options: DeployOptions = {
		url: url.replace(/\/+$/, ''),
		username: text('username'),
		password: text('password') || (env[ENV_PASSWORD] ? env[ENV_PASSWORD] : undefined),
		code: text('code'),
		userId: text('user-id'),
		token: text('token') || (env[ENV_TOKEN] ? env[ENV_TOKEN] : undefined),
		appDir: path.resolve(text('app-dir') || ROOT),
		verbose: given.verbose === true,
	};
	const byPassword = options.username !== undefined || text('password') !== undefined;
	const byToken = options.userId !== undefined || text('token') !== undefined;
	if (byPassword && byToken) {
		throw new UsageError('give --username/--password or --user-id/--token, not both');
	}
	if (byToken || (!byPassword && options.token)) {
		if (!options.userId || !options.token) {
			throw new UsageError(`a personal access token needs both --user-id and --token (or ${ENV_TOKEN})`);
		}
	} else if (!options.username || (!options.password && !canPrompt)) {
		throw new UsageError(`log in with --username and --password (or ${ENV_PASSWORD}), or with --user-id and --token`);
	}
	if (!fs.existsSync(path.join(options.appDir, 'app.json'))) {
		throw new UsageError(`--app-dir: no app.json in ${options.appDir}`);
	}
	return options;
}

interface AppJson {
	id: string;
	name: string;
	nameSlug: string;
	version: string;
}

interface HttpAnswer {
	status: number;
	type: string;
	text: string;
	json: Record<string, unknown> | undefined;
}

async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
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
		throw new DeployError('unreachable', `cannot reach ${new URL(url).origin}: ${reason}`);
	}
	const text = await res.text();
	let json: Record<string, unknown> | undefined;
	try {
		const parsed = JSON.parse(text) as unknown;
		json = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, type: (res.headers.get('content-type') || 'no content type').split(';')[0], text, json };
}

function describeAnswer(answer: HttpAnswer): string {
	const json = answer.json;
	const error = json ? [json.message, json.error].find((value) => typeof value === 'string' && value !== '') : undefined;
	return `HTTP ${answer.status}${error !== undefined ? `: ${String(error)}` : json ? '' : ` ${answer.type}`}`;
}

/** GET /api/info: a Rocket.Chat answers JSON with its `version` (the CLI needs 3.8 or later to send a compiled app). */
async function checkServer(url: string): Promise<string> {
	const info = await request(`${url}/api/info`);
	const version = info.json && typeof info.json.version === 'string' ? info.json.version : undefined;
	if (info.status !== 200 || !version) {
		throw new DeployError(
			'not-rocketchat',
			`${url} is not a Rocket.Chat workspace: GET /api/info answered ${describeAnswer(info)} (give the workspace's own URL)`,
		);
	}
	const [major, minor] = version.split('.').map((part) => parseInt(part, 10));
	if (!(major > 3 || (major === 3 && minor >= 8))) {
		throw new DeployError('not-rocketchat', `Rocket.Chat ${version} at ${url} is too old: rc-apps deploy needs 3.8 or later`);
	}
	return version;
}

interface Session {
	userId: string;
	token: string;
	/** a session this script opened (logged out at the end), not the user's personal access token */
	loggedIn: boolean;
	who: string;
}

async function authenticate(options: DeployOptions): Promise<Session> {
	if (options.userId && options.token) {
		const me = await request(`${options.url}/api/v1/me`, { headers: { 'X-User-Id': options.userId, 'X-Auth-Token': options.token } });
		if (me.status === 200 && me.json && me.json.success === true) {
			return { userId: options.userId, token: options.token, loggedIn: false, who: String(me.json.username || options.userId) };
		}
		if (!me.json) {
			throw new DeployError(
				'not-rocketchat',
				`${options.url} answered GET /api/v1/me with ${describeAnswer(me)}, not Rocket.Chat's JSON`,
			);
		}
		throw new DeployError(
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
	const data = login.json && (login.json.data as { userId?: unknown; authToken?: unknown } | undefined);
	if (login.status === 200 && data && typeof data.userId === 'string' && typeof data.authToken === 'string') {
		return { userId: data.userId, token: data.authToken, loggedIn: true, who: options.username as string };
	}
	if (!login.json) {
		throw new DeployError(
			'not-rocketchat',
			`${options.url} answered POST /api/v1/login with ${describeAnswer(login)}, not Rocket.Chat's JSON`,
		);
	}
	if (login.json.error === 'totp-required' || login.json.error === 'totp-invalid') {
		throw new DeployError(
			'credentials',
			`two-factor authentication: the workspace wants ${options.code ? 'another' : 'a'} code for "${options.username}" (--code)`,
		);
	}
	if (login.status === 429) {
		throw new DeployError(
			'credentials',
			`the workspace refused the login of "${options.username}" for now: too many attempts (${describeAnswer(login)})`,
		);
	}
	throw new DeployError(
		'credentials',
		`wrong credentials: the workspace refused the login of "${options.username}" (${describeAnswer(login)})`,
	);
}

async function logout(url: string, session: Session): Promise<void> {
	if (session.loggedIn) {
		await request(`${url}/api/v1/logout`, {
			method: 'POST',
			headers: { 'X-User-Id': session.userId, 'X-Auth-Token': session.token },
		}).catch(() => undefined);
	}
}

interface Installed {
	version: string;
	status: string;
}

/** GET /api/apps/:id (manage-apps): the installed version, undefined when not installed; 403: no manage-apps. */
async function installedApp(url: string, session: Session, appId: string): Promise<Installed | undefined> {
	const answer = await request(`${url}/api/apps/${encodeURIComponent(appId)}`, {
		headers: { 'X-User-Id': session.userId, 'X-Auth-Token': session.token },
	});
	const app = answer.json && (answer.json.app as { version?: unknown; status?: unknown } | undefined);
	if (answer.status === 200 && app) {
		return { version: String(app.version), status: String(app.status) };
	}
	if (answer.status === 404 && answer.json) {
		return undefined;
	}
	if (answer.status === 403) {
		throw new DeployError(
			'permission',
			`"${session.who}" lacks the manage-apps permission: the workspace refused GET /api/apps/${appId} (${describeAnswer(answer)}); deploy as an administrator`,
		);
	}
	if (answer.status === 401) {
		throw new DeployError(
			'credentials',
			`wrong credentials: the workspace refused the session of "${session.who}" (${describeAnswer(answer)})`,
		);
	}
	throw new DeployError('not-rocketchat', `${url} answered GET /api/apps/${appId} with ${describeAnswer(answer)}: no apps API there`);
}

/** What the CLI printed as its error (oclif's ` ›   Error: …`, possibly over several lines), without colours. */
export function cliErrorText(stderr: string): string {
	// eslint-disable-next-line no-control-regex
	const plain = stderr.replace(/\u001b\[[0-9;]*m/g, '');
	const lines = plain.split('\n').filter((line) => line.trim() !== '');
	const at = lines.findIndex((line) => /(^|\s)›\s+Error:|^\s*Error:/.test(line));
	const relevant = at === -1 ? lines.slice(-3) : lines.slice(at);
	return relevant
		.map((line) => line.replace(/^\s*›\s*/, '').trim())
		.join(' ')
		.replace(/^(Error:\s*)+/, '')
		.replace(/⤳\s*/g, '')
		.replace(/(Error:\s*)+/g, '')
		.replace(/\s+/g, ' ')
		.trim();
}

/** The CLI's failure, as one line of ours. */
export function mapCliFailure(text: string, url: string, who: string): DeployError {
	let m: RegExpExecArray | null;
	if (/Problems conecting to Rocket\.Chat/.test(text)) {
		return new DeployError('unreachable', `cannot reach ${url}, or it is not a Rocket.Chat (rc-apps: GET /api/info failed)`);
	}
	if (/Invalid username and password|Invalid API token/.test(text)) {
		return new DeployError('credentials', `wrong credentials: the workspace refused the session of "${who}" during the upload`);
	}
	if ((m = /Deployment error: (.*)$/.exec(text))) {
		const reason = m[1].trim();
		if (/permissions required for this action/.test(reason)) {
			return new DeployError('permission', `"${who}" lacks the manage-apps permission: the workspace refused the upload (${reason})`);
		}
		if (reason === 'undefined' || reason === '') {
			return new DeployError(
				'refused',
				"the workspace refused the app without giving a reason (a storage or app-user error: see the workspace's logs)",
			);
		}
		const hint = /Cannot_Update_Exempt_App/.test(reason)
			? ': a workspace without a license does not let a privately uploaded app be updated'
			: '';
		return new DeployError('refused', `the workspace refused the app: ${reason}${hint}`);
	}
	if ((m = /Unknown error occurred while deploying (.*)$/.exec(text))) {
		let reason = m[1];
		try {
			const body = JSON.parse(reason) as { message?: unknown; error?: unknown };
			reason = String(body.message || body.error || reason);
		} catch {
			// keep the text
		}
		return new DeployError('refused', `the workspace refused the app: ${reason}`);
	}
	if (/invalid json response body at (\S+)/.test(text)) {
		return new DeployError(
			'not-rocketchat',
			`${url} answered an rc-apps request with something that is not Rocket.Chat's JSON (${text})`,
		);
	}
	if (/compiler error|Deployment compiler errors|TS\d{4}/.test(text)) {
		return new DeployError('compile', `the app does not compile: ${text}`);
	}
	return new DeployError('cli', `rc-apps deploy failed: ${text || 'no message'}`);
}

/** Replaces every secret in a text by `***` (whatever is printed passes here). */
function redactor(secrets: Array<string | undefined>): (text: string) => string {
	const list = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4);
	return (text) => list.reduce((out, secret) => out.split(secret).join('***'), text);
}

interface CliRun {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `rc-apps deploy` in the staging copy; the child is ended if this process is interrupted. */
function runCli(staging: string, verbose: boolean, redact: (text: string) => string, children: Set<number>): Promise<CliRun> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [CLI, 'deploy'], {
			cwd: staging,
			env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', [ENV_PASSWORD]: '', [ENV_TOKEN]: '' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		if (child.pid !== undefined) {
			children.add(child.pid);
		}
		let stdout = '';
		let stderr = '';
		const relay = (chunk: Buffer, into: 'stdout' | 'stderr'): void => {
			const text = chunk.toString('utf8');
			if (into === 'stdout') {
				stdout += text;
			} else {
				stderr += text;
			}
			if (verbose) {
				process.stderr.write(redact(text));
			}
		};
		child.stdout.on('data', (chunk: Buffer) => relay(chunk, 'stdout'));
		child.stderr.on('data', (chunk: Buffer) => relay(chunk, 'stderr'));
		const timer = setTimeout(() => child.kill('SIGTERM'), CLI_TIMEOUT_MS);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(new DeployError('cli', `cannot run rc-apps: ${e.message}`));
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			if (child.pid !== undefined) {
				children.delete(child.pid);
			}
			resolve({ code, stdout, stderr });
		});
	});
}

export interface DeployIo {
	/** progress lines (stdout) */
	log(line: string): void;
	/** pids of rc-apps processes under way (an interrupted deploy ends them) */
	children?: Set<number>;
	/** the staging folder while it exists (an interrupted deploy removes it) */
	onStaging?(dir: string | undefined): void;
	/** logs out the session this deploy opened, while it is open (an interrupted deploy calls it) */
	onLogout?(logoutNow: (() => Promise<void>) | undefined): void;
}

export async function deploy(options: DeployOptions, io: DeployIo): Promise<DeployResult> {
	const began = Date.now();
	const app = JSON.parse(fs.readFileSync(path.join(options.appDir, 'app.json'), 'utf8')) as AppJson;
	const version = await checkServer(options.url);
	io.log(`Rocket.Chat ${version} at ${options.url}`);
	const session = await authenticate(options);
	if (io.onLogout) {
		io.onLogout(() => logout(options.url, session));
	}
	const redact = redactor([options.password, options.token, session.token]);
	let staging: string | undefined;
	try {
		const before = await installedApp(options.url, session, app.id);
		io.log(
			before
				? `${app.name} ${before.version} is installed (${before.status}): updating it to ${app.version} as ${session.who}`
				: `${app.name} is not installed: installing ${app.version} as ${session.who}`,
		);
		const preflight = Date.now() - began;
		staging = stageApp(options.appDir);
		if (io.onStaging) {
			io.onStaging(staging);
		}
		// the only place credentials touch the disk: the staging copy, readable by this user only, removed below
		fs.writeFileSync(
			path.join(staging, '.rcappsconfig'),
			JSON.stringify({ url: options.url, userId: session.userId, token: session.token }),
			{
				mode: 0o600,
			},
		);
		io.log('rc-apps deploy: compiling and uploading (10–25 s)…');
		const cliStarted = Date.now();
		const run = await runCli(staging, options.verbose, redact, io.children || new Set());
		const cli = Date.now() - cliStarted;
		if (run.code !== 0) {
			throw mapCliFailure(redact(cliErrorText(run.stderr) || cliErrorText(run.stdout)), options.url, session.who);
		}
		const after = await installedApp(options.url, session, app.id);
		if (!after || after.version !== app.version) {
			throw new DeployError(
				'refused',
				`rc-apps reported success, but the workspace has ${after ? `version ${after.version}` : 'no such app'}, not ${app.version}`,
			);
		}
		if (!/enabled$/.test(after.status) || /disabled$/.test(after.status)) {
			throw new DeployError(
				'refused',
				`${app.name} ${app.version} is installed but not enabled: status ${after.status} (see Administration → Apps → ${app.name} → Logs)`,
			);
		}
		return {
			action: before ? 'updated' : 'installed',
			appId: app.id,
			name: app.name,
			version: app.version,
			...(before ? { previousVersion: before.version } : {}),
			status: after.status,
			timings: { preflight, cli, total: Date.now() - began },
		};
	} finally {
		if (staging) {
			fs.rmSync(staging, { recursive: true, force: true });
			if (io.onStaging) {
				io.onStaging(undefined);
			}
		}
		await logout(options.url, session);
		if (io.onLogout) {
			io.onLogout(undefined);
		}
	}
}

/** Reads a password from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
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

async function main(): Promise<void> {
	let options: DeployOptions;
	try {
		options = parseArgs(process.argv.slice(2), process.env, process.stdin.isTTY === true);
		if (options.username && !options.password) {
			options.password = await promptHidden(`password of ${options.username} on ${options.url}: `);
		}
	} catch (e) {
		if (e instanceof UsageError) {
			if (e.message) {
				console.error(`npm run deploy: ${e.message}`);
			}
			console.error(USAGE);
			process.exit(e.message ? 2 : 0);
		}
		throw e;
	}
	const children = new Set<number>();
	let staging: string | undefined;
	let logoutNow: (() => Promise<void>) | undefined;
	const interrupted = (signal: NodeJS.Signals): void => {
		children.forEach((pid) => {
			try {
				process.kill(pid, 'SIGTERM');
			} catch {
				// already gone
			}
		});
		if (staging) {
			fs.rmSync(staging, { recursive: true, force: true });
		}
		console.error(`npm run deploy: ${signal}: stopped${staging ? ' (staging copy removed)' : ''}`);
		const exit = (): never => process.exit(signal === 'SIGINT' ? 130 : 143);
		// the session handed to rc-apps is logged out too, if the workspace answers soon
		void Promise.race([logoutNow ? logoutNow() : Promise.resolve(), new Promise((resolve) => setTimeout(resolve, 3000))]).then(
			exit,
			exit,
		);
	};
	process.on('SIGINT', interrupted);
	process.on('SIGTERM', interrupted);
	try {
		const result = await deploy(options, {
			log: (line) => console.log(line),
			children,
			onStaging: (dir) => {
				staging = dir;
			},
			onLogout: (run) => {
				logoutNow = run;
			},
		});
		const was = result.previousVersion !== undefined ? ` (was ${result.previousVersion})` : '';
		console.log(
			`${result.action} ${result.name} ${result.version}${was} on ${options.url}: ${result.status}; rc-apps took ${(result.timings.cli / 1000).toFixed(1)} s, all ${(result.timings.total / 1000).toFixed(1)} s`,
		);
		console.log(`its endpoint: ${options.url}/api/apps/public/${result.appId}/voip/room`);
	} catch (e) {
		if (e instanceof DeployError) {
			console.error(`npm run deploy: ${e.message}`);
			process.exit(1);
		}
		console.error(`npm run deploy: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	}
}

if (require.main === module) {
	void main();
}
