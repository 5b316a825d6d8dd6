/**
 * `npm start`: packages the app, starts the real Apps-Engine with it and serves HTTP as a Rocket.Chat server
 * would, on demo data. Options:
 *
 *   --engine NAME        an engine of test/engine/engines.ts: 1.62 (default: Deno 2, as later 8.x), 1.59 (Deno 1,
 *                        as 8.0), 1.53 (Deno 1, as 7.x), 1.42 (in-process vm2, as 6.x); `1.59.0` works too
 *   --port N             default 3000, or the PORT environment variable; 0 picks a free port
 *   --host ADDRESS       default 127.0.0.1
 *   --no-rate-limit      sets the app's requests_per_minute to 0 through the engine
 *   --data FILE          Rocket.Chat documents (JSON) instead of the demo data; see test/server/example-data.json
 *   --quiet              no request log
 *   --proxy              also the real nginx in front, from the blocks of docs/original-urls.md, on port 8080
 *   --proxy-port N       that proxy's port (implies --proxy)
 *
 * Exit codes: 0 after Ctrl-C/SIGTERM (the app's Deno subprocess stopped), 1 when it cannot start, 2 on bad options.
 */
import { fork } from 'child_process';
import * as path from 'path';

import type { EngineName } from '../engine/host';
import { ALL_ENGINES, ENGINE_TABLE } from '../engine/engines';
import type { RunningProxy } from '../proxy/proxies';
import type { RunningServer, StartupStep } from './index';
import { engineOf, readArgs, UsageError, valueOf } from '../../tools/cliArgs';

interface CliOptions {
	engine: EngineName;
	port: number;
	hostname: string;
	rateLimit: boolean;
	dataFile?: string;
	quiet: boolean;
	/** --proxy: nginx in front (test/proxy/front.ts) on this port */
	proxyPort?: number;
}

/** host.stop() waits up to 5 s for the Deno subprocess, then kills it: this is only a last resort */
const STOP_TIMEOUT_MS = 15000;

const ENGINE_CHOICES = [...ALL_ENGINES].reverse().join('|');

const USAGE = `usage: npm start -- [--engine ${ENGINE_CHOICES}] [--port N] [--host ADDRESS] [--no-rate-limit] [--data FILE] [--quiet] [--proxy] [--proxy-port N]`;

/** The proxy's port in the configuration of docs/original-urls.md. */
const PROXY_PORT = 8080;

function parsePort(text: string, from: string): number {
	if (!/^\d+$/.test(text) || Number(text) > 65535) {
		throw new UsageError(`${from}: not a port number: ${JSON.stringify(text)}`);
	}
	return Number(text);
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
	const options: CliOptions = {
		engine: '1.62',
		port: env.PORT !== undefined && env.PORT !== '' ? parsePort(env.PORT, 'PORT') : 3000,
		hostname: '127.0.0.1',
		rateLimit: true,
		quiet: false,
	};
	const given = readArgs(argv, {
		valued: ['--engine', '--port', '--host', '--data', '--proxy-port'],
		switches: ['--no-rate-limit', '--quiet', '--proxy'],
	});
	const text = (key: string): string | undefined => valueOf(given, key);
	options.engine = engineOf(given) || options.engine;
	const port = text('port');
	if (port !== undefined) {
		options.port = parsePort(port, '--port');
	}
	options.hostname = text('host') || options.hostname;
	options.rateLimit = given['no-rate-limit'] !== true;
	options.quiet = given.quiet === true;
	const dataFile = text('data');
	if (dataFile !== undefined) {
		options.dataFile = path.resolve(dataFile);
	}
	const proxyPort = text('proxy-port');
	if (proxyPort !== undefined) {
		options.proxyPort = parsePort(proxyPort, '--proxy-port');
	} else if (given.proxy === true) {
		options.proxyPort = PROXY_PORT;
	}
	return options;
}

function seconds(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function printStep(step: StartupStep): void {
	const label = step.step === 'ready' ? 'ready in' : step.step;
	console.log(`  ${label.padEnd(9)}${(step.pending ? '…' : seconds(step.ms)).padStart(8)}  ${step.detail}`);
}

function clock(): string {
	return new Date().toISOString().slice(11, 19);
}

function parseOrExit(): CliOptions {
	try {
		return parseCli(process.argv.slice(2), process.env);
	} catch (e) {
		if (e instanceof UsageError) {
			if (e.message) {
				console.error(`npm start: ${e.message}`);
			}
			console.error(USAGE);
			process.exit(e.message ? 2 : 0);
		}
		throw e;
	}
}

/** The server process: starts the server, prints progress and hints, stops on SIGINT/SIGTERM or when the supervisor goes. */
async function serve(options: CliOptions): Promise<void> {
	// loaded here, not at the top: the supervisor process only parses the options
	const { DataError, loadDataFile } = await import('./data');
	const { formatHints } = await import('./hints');
	const { ServerStartError, startServer } = await import('./index');
	const { startFront } = await import('../proxy/front');
	let data;
	try {
		data = options.dataFile ? loadDataFile(options.dataFile) : undefined;
	} catch (e) {
		if (e instanceof DataError) {
			console.error(`npm start: --data ${e.message}`);
			process.exit(1);
		}
		throw e;
	}

	let starting: Promise<RunningServer | undefined> = Promise.resolve(undefined);
	let front: Promise<RunningProxy | undefined> = Promise.resolve(undefined);
	let stopping = false;
	const stop = (reason: string): void => {
		if (stopping) {
			return;
		}
		stopping = true;
		console.log(`\n${reason}: stopping…`);
		setTimeout(() => {
			console.error(`stopping took over ${STOP_TIMEOUT_MS / 1000} s: exiting anyway`);
			process.exit(1);
		}, STOP_TIMEOUT_MS).unref();
		// a signal during start-up waits for the engine to be up, so that its runtime is stopped too
		Promise.all([starting, front])
			.then(([server, proxy]) => Promise.all([server ? server.stop() : undefined, proxy ? proxy.stop() : undefined]))
			.then(
				() => {
					console.log('stopped: the app is removed and its runtime has exited');
					process.exit(0);
				},
				(e: unknown) => {
					console.error(`stopping failed: ${e instanceof Error ? e.message : String(e)}`);
					process.exit(1);
				},
			);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('disconnect', () => stop('supervisor gone'));

	const row = ENGINE_TABLE[options.engine];
	const engineName = row.runtime === 'deno' ? `${row.version}, Deno ${row.denoVersion} runtime` : `${row.version}, in-process (vm2)`;
	console.log(
		`VoipRoom on a local Rocket.Chat stand-in: Apps-Engine ${engineName}${options.dataFile ? `, data from ${options.dataFile}` : ', demo data'}`,
	);
	const started = startServer({
		engine: options.engine,
		port: options.port,
		hostname: options.hostname,
		data,
		rateLimit: options.rateLimit,
		log: options.quiet ? undefined : (line) => console.log(`${clock()} ${line}`),
		progress: (step) => {
			if (!stopping) {
				printStep(step);
			}
		},
	});
	starting = started.catch(() => undefined);
	let server: RunningServer;
	try {
		server = await started;
	} catch (e) {
		if (e instanceof ServerStartError) {
			console.error(`npm start: ${e.message}`);
			process.exit(1);
		}
		console.error(`npm start: could not start: ${e instanceof Error ? e.stack || e.message : String(e)}`);
		process.exit(1);
	}
	if (stopping) {
		return;
	}
	console.log(`\nApp ${server.appId} answers under ${server.appBaseUrl}/`);
	const hints = { url: server.url, appBaseUrl: server.appBaseUrl, data: server.host.db, demo: !data, rateLimit: options.rateLimit };
	console.log(formatHints(hints));
	if (options.proxyPort !== undefined) {
		const started = await startFront({ upstreamPort: server.port, port: options.proxyPort, hints });
		front = Promise.resolve(started.proxy);
		if (stopping) {
			return;
		}
		console.log(`\n${started.text}`);
	}
	console.log('');
}

const CHILD_ENV = 'VOIPROOM_SERVER_PROCESS';

/**
 * The process `npm start` runs: checks the options, then runs the server in a child process of its own session.
 * A Ctrl-C in a terminal signals the whole foreground process group: npm, tsx, this process, and, were the server
 * in it, the app's Deno subprocess too, which then dies under the engine (which restarts it) before the server
 * can remove the app. Out of the terminal's group, the server (and its Deno subprocess) get one SIGINT, relayed
 * from here, and stop in order. This process exits with the server's exit code.
 */
function supervise(): void {
	parseOrExit();
	const child = fork(__filename, process.argv.slice(2), {
		detached: true,
		stdio: 'inherit',
		env: { ...process.env, [CHILD_ENV]: '1' },
	});
	let relayed = false;
	const relay = (signal: NodeJS.Signals): void => {
		if (!relayed && child.exitCode === null) {
			relayed = true;
			child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
		}
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
		process.on(signal, () => relay(signal));
	}
	child.on('exit', (code, signal) => process.exit(code !== null ? code : signal === 'SIGINT' ? 130 : 1));
}

if (require.main === module) {
	if (process.env[CHILD_ENV] === '1') {
		void serve(parseOrExit());
	} else {
		supervise();
	}
}
