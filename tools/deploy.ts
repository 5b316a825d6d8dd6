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

import type { ArgSpec } from './cliArgs';
import { readArgs, textOf, UsageError } from './cliArgs';
import { ROOT, stageApp } from './package';
import type { CredentialOptions, InstalledApp, Session, WorkspaceFailure } from './workspace';
import {
	authenticate,
	CREDENTIAL_ARGS,
	credentialOptions,
	isEnabledStatus,
	logout,
	commandOptions,
	readInstalledApp,
	redactor,
	workspaceVersion,
	WorkspaceError,
} from './workspace';

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

export interface DeployOptions extends CredentialOptions {
	appDir: string;
	verbose: boolean;
}

export type FailureKind = WorkspaceFailure | 'refused' | 'compile' | 'cli';

/** A deploy that failed: one line for the user (the pre-checks of ./workspace.ts fail as WorkspaceError). */
export class DeployError extends WorkspaceError<FailureKind> {}

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

const ENV_NAMES = { password: 'VOIPROOM_DEPLOY_PASSWORD', token: 'VOIPROOM_DEPLOY_TOKEN' };
const CLI = path.join(ROOT, 'node_modules', '@rocket.chat', 'apps-cli', 'bin', 'run');
const CLI_TIMEOUT_MS = 5 * 60 * 1000;

const ARGS: ArgSpec = {
	valued: [...CREDENTIAL_ARGS.valued, '--app-dir'],
	switches: ['--verbose'],
	aliases: { ...CREDENTIAL_ARGS.aliases, '-v': '--verbose' },
};

/**
 * The options; `canPrompt` (a terminal): a missing password is asked for later (promptHidden), so that it need
 * not be typed on the command line, where npm echoes it and writes it to its debug log (~/.npm/_logs).
 */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv, canPrompt = false): DeployOptions {
	const given = readArgs(argv, ARGS);
	const options: DeployOptions = {
		...credentialOptions(given, env, ENV_NAMES, canPrompt),
		appDir: path.resolve(textOf(given, 'app-dir') || ROOT),
		verbose: given.verbose === true,
	};
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

/** The workspace's version; the CLI needs 3.8 or later to send a compiled app. */
async function checkServer(url: string): Promise<string> {
	const version = await workspaceVersion(url);
	const [major, minor] = version.split('.').map((part) => parseInt(part, 10));
	if (!(major > 3 || (major === 3 && minor >= 8))) {
		throw new DeployError('not-rocketchat', `Rocket.Chat ${version} at ${url} is too old: rc-apps deploy needs 3.8 or later`);
	}
	return version;
}

/** GET /api/apps/:id: the installed version, undefined when not installed; no manage-apps is a DeployError. */
async function installedApp(url: string, session: Session, appId: string): Promise<InstalledApp | undefined> {
	const app = await readInstalledApp(url, session, appId);
	if (app && 'forbidden' in app) {
		throw new DeployError(
			'permission',
			`"${session.who}" lacks the manage-apps permission: the workspace refused GET /api/apps/${appId} (${app.forbidden}); deploy as an administrator`,
		);
	}
	return app;
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
			env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', [ENV_NAMES.password]: '', [ENV_NAMES.token]: '' },
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
		if (!isEnabledStatus(after.status)) {
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

async function main(): Promise<void> {
	const options = await commandOptions('deploy', USAGE, parseArgs);
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
		if (e instanceof WorkspaceError) {
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
