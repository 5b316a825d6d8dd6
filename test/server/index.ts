/**
 * `startServer()`: the packaged app in the real Apps-Engine (test/engine/host), answering real HTTP the way a
 * Rocket.Chat server does (./rest.ts), on demo data (./demo.ts) or on the caller's documents. `npm start` is the
 * CLI around it (./main.ts); load tests and benchmarks use it directly:
 *
 *   const server = await startServer({ port: 0, rateLimit: false });
 *   await fetch(`${server.appBaseUrl}/voip/room?token=…&rid=…`, { headers: { 'X-User-Id': server.users.agent.id, 'X-Auth-Token': server.users.agent.token } });
 *   await server.stop(); // HTTP closed, app removed, Deno subprocess gone
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import * as path from 'path';

import { prepareDenoRuntime } from '../engine/deno';
import { ENGINE_TABLE } from '../engine/engines';
import type { EngineName, Host, LivenessTimings, RcData } from '../engine/host';
import { startHost } from '../engine/host';
import { enginePackageRoot } from '../engine/host/engine';
import { ensurePackaged, isZipCurrent, ROOT, zipPath } from '../../tools/package';
import type { Credentials } from './demo';
import { demoData } from './demo';
import { pickUsers } from './data';
import { sendStatus } from './express';
import { createHandler } from './rest';
import { rocketChatVersion } from './restApi';
import type { ReceivedRequest } from './tap';
import { tapRequest } from './tap';

export type { EngineName, Host, LivenessTimings, RcData } from '../engine/host';
export type { Credentials } from './demo';
export type { ReceivedRequest } from './tap';
export { DEMO, DEMO_USERS, demoData } from './demo';
export { DataError, loadDataFile } from './data';

export interface ServerOptions {
	/** an engine of test/engine/engines.ts (default '1.62') */
	engine?: EngineName;
	/** default 3000; 0 = an ephemeral port */
	port?: number;
	/** default 127.0.0.1 */
	hostname?: string;
	/** Rocket.Chat documents (default: the demo database); the server reads and writes this very object */
	data?: RcData;
	/** false: the app's setting requests_per_minute is set to 0 through the engine (default: the app's 5/min) */
	rateLimit?: boolean;
	/** one line per request and per message the app sends (default: nothing) */
	log?: (line: string) => void;
	/** each start-up step as it ends (the CLI prints them) */
	progress?: (step: StartupStep) => void;
	/** the engine's per-request timeout for the app's Deno subprocess (1.62; APPS_ENGINE_RUNTIME_TIMEOUT), default 30000 */
	runtimeTimeoutMs?: number;
	/** Deno engines: the liveness check's timings (test/engine/host/liveness.ts), default the engine's (10 s, 1 s, 4) */
	liveness?: LivenessTimings;
	/**
	 * false: start with no app installed, as a workspace before its first upload (`npm run deploy` or POST /api/apps
	 * installs it; `appId`/`appBaseUrl` are then those of app.json's id). Default true: the packaged app is installed.
	 */
	installApp?: boolean;
	/** test tap (./tap.ts): each request as it arrived, its body's bytes before any parsing, once the body has ended */
	onRequest?: (request: ReceivedRequest) => void;
	/** test tap (./tap.ts): websocket upgrade requests; without it an upgrade request is answered as a plain request */
	onUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export type StartupStepName = 'listen' | 'package' | 'runtime' | 'engine' | 'install' | 'ready';

export interface StartupStep {
	step: StartupStepName;
	/** how long the step took (ready: the whole start-up); 0 when `pending` */
	ms: number;
	detail: string;
	/** true: a slow step is starting (packaging the zip, the Deno runtime's first preparation); its end follows */
	pending?: true;
}

export interface RunningServer {
	/** http://127.0.0.1:PORT */
	url: string;
	port: number;
	appId: string;
	host: Host;
	/** url + /api/apps/public/<appId> */
	appBaseUrl: string;
	/** demo users (or, with `data`, the first user with a token of each kind; `{ id: '', token: '' }` when none) */
	users: { agent: Credentials; manager: Credentials; plain: Credentials };
	engine: EngineName;
	/** milliseconds per start-up step */
	startup: Record<StartupStepName, number>;
	/** closes HTTP, removes the app (the Deno subprocess exits), releases the engine; idempotent */
	stop(): Promise<void>;
}

/** A start-up failure the CLI reports in one line (e.g. the port is in use). */
export class ServerStartError extends Error {
	constructor(
		message: string,
		readonly code?: string,
	) {
		super(message);
	}
}

function behavesAs(engine: EngineName): string {
	return `Rocket.Chat ${ENGINE_TABLE[engine].rocketChat}`;
}

function packageVersion(name: string, from?: string): string {
	const file = require.resolve(`${name}/package.json`, from ? { paths: [from] } : undefined);
	return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The version of what runs the app: the engine row's Deno package, or the engine's vm2. */
function runtimeVersion(engine: EngineName): string {
	const row = ENGINE_TABLE[engine];
	return row.runtime === 'deno' ? packageVersion(row.denoPackage as string) : packageVersion('vm2', enginePackageRoot(engine));
}

function appInfo(): { id: string; name: string; version: string } {
	const { id, name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as {
		id: string;
		name: string;
		version: string;
	};
	return { id, name, version };
}

function listen(server: http.Server, port: number, hostname: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (err: NodeJS.ErrnoException): void => {
			server.off('listening', onListening);
			const where = `${hostname}:${port}`;
			if (err.code === 'EADDRINUSE') {
				reject(
					new ServerStartError(
						`port ${port} is in use (${where}): stop what listens there, or pick another port with --port or PORT`,
						err.code,
					),
				);
			} else if (err.code === 'EACCES') {
				reject(
					new ServerStartError(
						`port ${port} needs privileges this process lacks (${where}): pick a port above 1023 with --port or PORT`,
						err.code,
					),
				);
			} else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
				reject(new ServerStartError(`cannot listen on ${where}: no such local address`, err.code));
			} else {
				reject(new ServerStartError(`cannot listen on ${where}: ${err.message}`, err.code));
			}
		};
		const onListening = (): void => {
			server.off('error', onError);
			resolve((server.address() as AddressInfo).port);
		};
		server.once('error', onError);
		server.once('listening', onListening);
		server.listen(port, hostname);
	});
}

function closeServer(server: http.Server): Promise<void> {
	return new Promise((resolve) => {
		if (!server.listening) {
			resolve();
			return;
		}
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
	const engine: EngineName = options.engine || '1.62';
	const hostname = options.hostname || '127.0.0.1';
	const requestedPort = options.port === undefined ? 3000 : options.port;
	const data = options.data || demoData();
	const log = options.log || ((): void => undefined);
	const startup: Record<StartupStepName, number> = { listen: 0, package: 0, runtime: 0, engine: 0, install: 0, ready: 0 };
	const began = Date.now();
	const step = (name: StartupStepName, ms: number, detail: string): void => {
		startup[name] = ms;
		if (options.progress) {
			options.progress({ step: name, ms, detail });
		}
	};
	const pending = (name: StartupStepName, detail: string): void => {
		if (options.progress) {
			options.progress({ step: name, ms: 0, detail, pending: true });
		}
	};

	// Until the app is installed (and once stopping), every request gets 503.
	let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
	const server = http.createServer((req, res) => {
		if (options.onRequest) {
			tapRequest(req, options.onRequest);
		}
		if (!handler) {
			req.resume();
			res.setHeader('Retry-After', '1');
			sendStatus(req, res, 503);
			return;
		}
		handler(req, res).catch((e: unknown) => {
			log(`${req.method} ${req.url}: ${e instanceof Error ? e.stack || e.message : String(e)}`);
			if (!res.headersSent) {
				res.statusCode = 500;
			}
			res.end();
		});
	});
	server.keepAliveTimeout = 5000;
	if (options.onUpgrade) {
		server.on('upgrade', options.onUpgrade);
	}

	let t = Date.now();
	const port = await listen(server, requestedPort, hostname);
	const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
	step('listen', Date.now() - t, url);

	let host: Host | undefined;
	try {
		t = Date.now();
		const installApp = options.installApp !== false;
		const cached = !installApp || isZipCurrent();
		if (!cached) {
			pending(
				'package',
				`packaging ${path.relative(ROOT, zipPath())} with rc-apps (an app file changed or there is no zip yet; ~20 s)…`,
			);
		}
		const zip = installApp ? ensurePackaged() : undefined;
		step(
			'package',
			Date.now() - t,
			zip ? `${path.relative(ROOT, zip)} ${cached ? 'up to date' : 'packaged'}` : 'none: no app installed at start',
		);

		t = Date.now();
		const row = ENGINE_TABLE[engine];
		if (row.runtime === 'deno') {
			// written by prepareDenoRuntime() once the engine's Deno cache is ready (test/engine/deno.ts)
			if (!fs.existsSync(path.join(ROOT, 'test', '.cache', 'deno', engine, 'stamp.json'))) {
				pending('runtime', "preparing the Deno runtime's offline cache (first run only: deno fetches its npm packages)…");
			}
			await prepareDenoRuntime(engine);
			step('runtime', Date.now() - t, `Deno ${runtimeVersion(engine)}, offline cache ready`);
		} else {
			step('runtime', Date.now() - t, `vm2 ${runtimeVersion(engine)}, in this process`);
		}

		t = Date.now();
		// A server runs for long: keep the newest app log entries only, as a bounded log would.
		host = await startHost({
			engine,
			zipPath: zip,
			data,
			runtimeTimeoutMs: options.runtimeTimeoutMs,
			liveness: options.liveness,
			logRetention: 10000,
		});
		const total = Date.now() - t;
		const engineVersion = packageVersion(ENGINE_TABLE[engine].packageName);
		step('engine', total - host.timings.installMs, `@rocket.chat/apps-engine ${engineVersion} (${behavesAs(engine)})`);
		if (options.rateLimit === false) {
			await host.setSetting('requests_per_minute', 0);
		}
		step('install', host.timings.installMs, zip ? `${appInfo().name} ${appInfo().version} ${await host.status()}` : 'no app installed');
	} catch (e) {
		await closeServer(server);
		if (host) {
			await host.stop();
		}
		throw e;
	}

	const running = host;
	const appId = running.appId || appInfo().id;
	const appBaseUrl = `${url}/api/apps/public/${appId}`;
	handler = createHandler({
		host: running,
		db: data,
		log,
		info: async () => {
			const pid = running.runtimePid(appId);
			const installed = await running.installedApp(appId);
			const settings: Record<string, unknown> = {};
			const stored = running.appSettings(appId);
			for (const id of ['allowed_roles', 'create_room_when_none_open', 'requests_per_minute', 'rate_limit_window_ms']) {
				settings[id] = stored[id] ? (stored[id].value !== undefined ? stored[id].value : stored[id].packageValue) : undefined;
			}
			return {
				// getServerInfo (apps/meteor/app/api/server/lib/getServerInfo.ts): major.minor for anonymous callers
				version: rocketChatVersion(engine),
				server: 'VoipRoom local Rocket.Chat stand-in (test/server)',
				behavesAs: behavesAs(engine),
				engine: {
					name: engine,
					version: packageVersion(ENGINE_TABLE[engine].packageName),
					runtime: ENGINE_TABLE[engine].runtime,
					runtimeVersion: runtimeVersion(engine),
					...(pid !== undefined ? { runtimePid: pid } : { inProcess: true }),
				},
				// the installed app as the engine has it (an update shows at once), null before the first install
				app: installed
					? { id: installed.id, name: installed.name, version: installed.version, status: installed.status, baseUrl: appBaseUrl }
					: null,
				settings,
			};
		},
	});
	step('ready', Date.now() - began, url);

	let stopping: Promise<void> | undefined;
	return {
		url,
		port,
		appId,
		host: running,
		appBaseUrl,
		users: pickUsers(data),
		engine,
		startup,
		stop: () => {
			if (!stopping) {
				handler = undefined;
				stopping = Promise.all([closeServer(server), running.stop()]).then(() => undefined);
			}
			return stopping;
		},
	};
}
