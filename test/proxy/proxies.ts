/**
 * Real nginx and Caddy (the Debian packages) running the blocks of docs/original-urls.md (./proxyPage.ts) in
 * front of a Rocket.Chat (here: the stand-in of test/server). Each runs as a child process in a temporary directory
 * of its own (configuration, error log, temp files, Caddy's HOME), listens on 127.0.0.1 and is stopped with it:
 *
 *   const nginx = await startNginx({ upstreamPort: server.port });   // an ephemeral port unless `port` is given
 *   await fetch(`${nginx.url}/api/v1/voip/room?token=…&agentId=…`, { headers });
 *   await nginx.stop();
 *
 * `proxyTools()` says what is missing (binaries, the nginx Lua module, lua-cjson) and how to get it.
 */
import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { loadedModules, readProxyBlocks, withPorts } from './proxyPage';

export type ProxyName = 'nginx' | 'caddy';

export interface RunningProxy {
	name: ProxyName;
	/** http://127.0.0.1:PORT */
	url: string;
	port: number;
	pid: number;
	/** the proxy's own output and error log so far */
	log(): string;
	/** stops the process (SIGTERM, then SIGKILL after 5 s) and removes its directory; idempotent */
	stop(): Promise<void>;
}

export interface ProxyOptions {
	/** where Rocket.Chat (the stand-in) listens on 127.0.0.1 */
	upstreamPort: number;
	/** the proxy's port (default: a free ephemeral port) */
	port?: number;
}

export interface ToolCheck {
	/** the binary, when found */
	binary?: string;
	/** what is missing, in words; empty when everything is there */
	missing: string[];
	/** the Debian packages that provide it */
	packages: string;
}

/** Debian's packages for each proxy (what .ci/run installs). */
export const PACKAGES: Record<ProxyName, string> = {
	nginx: 'nginx libnginx-mod-http-lua libnginx-mod-http-ndk lua-cjson',
	caddy: 'caddy',
};

/** Where Debian's LuaJIT looks for lua-cjson's C module (besides ./, which is the process's directory). */
const CJSON_PLACES = [
	'/usr/local/lib/lua/5.1',
	'/usr/lib/x86_64-linux-gnu/lua/5.1',
	'/usr/lib/aarch64-linux-gnu/lua/5.1',
	'/usr/lib/lua/5.1',
];

const STOP_TIMEOUT_MS = 5000;
const START_TIMEOUT_MS = 15000;
const LOG_LIMIT = 64 * 1024;

/** The binary: `$NGINX_BIN` / `$CADDY_BIN` when set, else the first on PATH or in the sbin folders. */
export function findBinary(name: ProxyName, env: NodeJS.ProcessEnv = process.env): string | undefined {
	const override = env[`${name.toUpperCase()}_BIN`];
	if (override) {
		return fs.existsSync(override) ? override : undefined;
	}
	const folders = [...(env.PATH || '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'].filter(Boolean);
	for (const folder of folders) {
		const candidate = path.join(folder, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) {
				return candidate;
			}
		} catch {
			// not here
		}
	}
	return undefined;
}

export function proxyTools(env: NodeJS.ProcessEnv = process.env): Record<ProxyName, ToolCheck> {
	const nginx = findBinary('nginx', env);
	const nginxMissing: string[] = nginx ? [] : ['nginx'];
	for (const module of loadedModules(readProxyBlocks().nginxMain)) {
		if (!fs.existsSync(module)) {
			nginxMissing.push(`the nginx module ${module}`);
		}
	}
	if (!CJSON_PLACES.some((folder) => fs.existsSync(path.join(folder, 'cjson.so')))) {
		nginxMissing.push('lua-cjson');
	}
	const caddy = findBinary('caddy', env);
	return {
		nginx: { binary: nginx, missing: nginxMissing, packages: PACKAGES.nginx },
		caddy: { binary: caddy, missing: caddy ? [] : ['caddy'], packages: PACKAGES.caddy },
	};
}

/** A port free right now on every interface (nginx's `listen PORT` binds all of them). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', reject);
		probe.listen(0, () => {
			const { port } = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

function canConnect(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

interface Launch {
	name: ProxyName;
	binary: string;
	args: string[];
	env?: NodeJS.ProcessEnv;
	dir: string;
	port: number;
	/** the proxy's own log file, read into log() */
	logFile?: string;
}

/** Spawns the proxy and waits until its port accepts connections; on failure, throws with the proxy's output. */
async function launch(spec: Launch): Promise<RunningProxy> {
	let output = '';
	const child: ChildProcess = spawn(spec.binary, spec.args, {
		cwd: spec.dir,
		env: spec.env || process.env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const keep = (chunk: Buffer): void => {
		output = (output + chunk.toString('utf8')).slice(-LOG_LIMIT);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	let spawnError: Error | undefined;
	child.once('error', (e) => (spawnError = e));
	// a test process that dies must not leave a proxy listening
	const killOnExit = (): void => {
		child.kill('SIGKILL');
	};
	process.once('exit', killOnExit);

	const log = (): string => {
		let file = '';
		if (spec.logFile && fs.existsSync(spec.logFile)) {
			file = fs.readFileSync(spec.logFile, 'utf8').slice(-LOG_LIMIT);
		}
		return `${output}${file}`;
	};
	let stopping: Promise<void> | undefined;
	const stop = (): Promise<void> => {
		if (!stopping) {
			stopping = (async () => {
				if (child.exitCode === null && child.signalCode === null) {
					child.kill('SIGTERM');
					const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
					await exited;
					clearTimeout(timer);
				}
				process.removeListener('exit', killOnExit);
				fs.rmSync(spec.dir, { recursive: true, force: true });
			})();
		}
		return stopping;
	};

	const deadline = Date.now() + START_TIMEOUT_MS;
	for (;;) {
		if (spawnError || child.exitCode !== null || child.signalCode !== null) {
			const why = spawnError
				? spawnError.message
				: `exited with ${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}`;
			const text = log();
			await stop();
			throw new Error(`${spec.name} ${why}:\n${text}`);
		}
		if (await canConnect(spec.port)) {
			break;
		}
		if (Date.now() > deadline) {
			const text = log();
			await stop();
			throw new Error(`${spec.name} did not listen on port ${spec.port} within ${START_TIMEOUT_MS / 1000} s:\n${text}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	return { name: spec.name, url: `http://127.0.0.1:${spec.port}`, port: spec.port, pid: child.pid || 0, log, stop };
}

function requireBinary(name: ProxyName): string {
	const binary = findBinary(name);
	if (!binary) {
		throw new Error(`${name} is not installed: apt-get install ${PACKAGES[name]}`);
	}
	return binary;
}

/**
 * nginx.conf around the blocks of docs/original-urls.md: the main-context block first, then what a test prefix needs instead of
 * Debian's /etc/nginx/nginx.conf (one process in the foreground, pid, logs and temp files in `dir`), and the
 * http-context block inside `http { }`.
 */
export function nginxConf(dir: string, port: number, upstreamPort: number): string {
	const blocks = readProxyBlocks();
	return [
		'# test/proxy/proxies.ts: the blocks of docs/original-urls.md in a temporary prefix',
		blocks.nginxMain.trimEnd(),
		'daemon off;',
		'master_process off;',
		`pid ${dir}/nginx.pid;`,
		`error_log ${dir}/error.log warn;`,
		'events {',
		'    worker_connections 1024;',
		'}',
		'http {',
		`    access_log ${dir}/access.log;`,
		`    client_body_temp_path ${dir}/client_body;`,
		`    proxy_temp_path ${dir}/proxy;`,
		`    fastcgi_temp_path ${dir}/fastcgi;`,
		`    uwsgi_temp_path ${dir}/uwsgi;`,
		`    scgi_temp_path ${dir}/scgi;`,
		withPorts(blocks.nginxHttp, port, upstreamPort).trimEnd(),
		'}',
		'',
	].join('\n');
}

async function startWithPortRetry(options: ProxyOptions, start: (port: number) => Promise<RunningProxy>): Promise<RunningProxy> {
	// an ephemeral port can be taken between freePort() and the proxy's bind: try another (a given port: once)
	for (let attempt = 1; ; attempt++) {
		const port = options.port !== undefined ? options.port : await freePort();
		try {
			return await start(port);
		} catch (e) {
			const inUse = e instanceof Error && /address already in use/i.test(e.message);
			if (!inUse || options.port !== undefined || attempt >= 3) {
				throw e;
			}
		}
	}
}

export function startNginx(options: ProxyOptions): Promise<RunningProxy> {
	const binary = requireBinary('nginx');
	return startWithPortRetry(options, (port) => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiproom-nginx-'));
		const conf = path.join(dir, 'nginx.conf');
		fs.writeFileSync(conf, nginxConf(dir, port, options.upstreamPort));
		return launch({
			name: 'nginx',
			binary,
			args: ['-p', `${dir}/`, '-c', conf, '-e', path.join(dir, 'error.log')],
			dir,
			port,
			logFile: path.join(dir, 'error.log'),
		});
	});
}

/** A Caddyfile: global options for a test (no admin endpoint) and the site block of docs/original-urls.md. */
export function caddyfile(port: number, upstreamPort: number): string {
	return [
		'# test/proxy/proxies.ts: the block of docs/original-urls.md',
		'{',
		'\tadmin off',
		'}',
		'',
		withPorts(readProxyBlocks().caddyfile, port, upstreamPort),
	].join('\n');
}

export function startCaddy(options: ProxyOptions): Promise<RunningProxy> {
	const binary = requireBinary('caddy');
	return startWithPortRetry(options, (port) => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiproom-caddy-'));
		const file = path.join(dir, 'Caddyfile');
		fs.writeFileSync(file, caddyfile(port, options.upstreamPort));
		// Caddy keeps its autosaved config and certificates under HOME / XDG dirs: all inside `dir`
		const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data') };
		return launch({ name: 'caddy', binary, args: ['run', '--config', file, '--adapter', 'caddyfile'], env, dir, port });
	});
}

export function startProxy(name: ProxyName, options: ProxyOptions): Promise<RunningProxy> {
	return name === 'nginx' ? startNginx(options) : startCaddy(options);
}
