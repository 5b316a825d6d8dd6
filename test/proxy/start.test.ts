/**
 * `npm start -- --proxy`: the stand-in and the real nginx from docs/original-urls.md in front of it, printing the
 * documented curl at its original URL (which, pasted into a shell, answers the documented room); without nginx, one
 * line saying what to install, and the stand-in alone.
 */
import { execFile, spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';

import { describe, expect, it } from '@jest/globals';

import { documentedResponseAsServed } from '../engine/support';
import { demoData } from '../server';
import { parseCli } from '../server/main';
import { ROOT } from '../../tools/package';
import { startFront } from './front';
import { PACKAGES, proxyTools } from './proxies';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function refused(url: string): Promise<boolean> {
	const { port } = new URL(url);
	return new Promise((resolve) => {
		const socket = net.connect(Number(port), '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(true));
	});
}

describe('npm start -- --proxy', () => {
	const tools = proxyTools().nginx;
	const runs = tools.missing.length === 0 || !!process.env.CI;
	if (!runs) {
		process.stderr.write(
			`test/proxy/start.test.ts: the --proxy run not tested: ${tools.missing.join(', ')} missing (apt-get install ${tools.packages})\n`,
		);
	}

	(runs ? it : it.skip)(
		'prints the documented curl at the original URL, which answers the documented room through nginx; Ctrl-C stops both',
		async () => {
			const child = spawn(TSX, [path.join('test', 'server', 'main.ts'), '--port', '0', '--proxy-port', '0', '--quiet'], {
				cwd: ROOT,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let out = '';
			let err = '';
			child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
			child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
			const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
			try {
				const deadline = Date.now() + 100000;
				while (!/, at the original URL\n[\s\S]*?\n# {2}→ .*\n/.test(out)) {
					if (child.exitCode !== null || Date.now() > deadline) {
						throw new Error(`no proxied call printed:\n${out}\n${err}`);
					}
					await new Promise((resolve) => setTimeout(resolve, 50));
				}
				const [, proxyUrl] = /\nnginx on (http:\/\/127\.0\.0\.1:\d+) in front of it: /.exec(out) || [];
				const block = out.slice(out.indexOf(', at the original URL\n'));
				const command = block
					.split('\n')
					.slice(1)
					.filter((line) => !line.startsWith('#'))
					.join('\n')
					.trim();
				expect(command.split('\n')[0]).toBe(
					`curl --location --request GET '${proxyUrl}/api/v1/voip/room?token=8s7e9ony6ctl27e1qf8kue&agentId=6vHSSqdBHdm2R4gfi' \\`,
				);
				const answer = await new Promise<string>((resolve, reject) =>
					execFile('sh', ['-c', `${command} --silent`], (error, stdout) => (error ? reject(error) : resolve(stdout))),
				);
				expect(JSON.parse(answer)).toEqual(documentedResponseAsServed());

				process.kill(-(child.pid as number), 'SIGINT');
				expect(await exited).toBe(0);
				expect(await refused(proxyUrl)).toBe(true);
				expect(err).toBe('');
			} finally {
				if (child.exitCode === null) {
					process.kill(-(child.pid as number), 'SIGTERM');
					await exited;
				}
			}
		},
		120000,
	);

	it('--proxy: port 8080 unless --proxy-port says otherwise (which implies --proxy); no proxy by default', () => {
		expect(parseCli([], {}).proxyPort).toBeUndefined();
		expect(parseCli(['--proxy'], {}).proxyPort).toBe(8080);
		expect(parseCli(['--proxy-port', '9090'], {}).proxyPort).toBe(9090);
		expect(parseCli(['--proxy-port=0', '--proxy'], {}).proxyPort).toBe(0);
		expect(() => parseCli(['--proxy-port', 'x'], {})).toThrow('--proxy-port: not a port number: "x"');
	});

	it('without nginx: one line saying what to install, and no proxy', async () => {
		const hints = {
			url: 'http://127.0.0.1:3000',
			appBaseUrl: 'http://127.0.0.1:3000/api/apps/public/x',
			data: demoData(),
			demo: true,
			rateLimit: true,
		};
		const front = await startFront({ upstreamPort: 3000, port: 8080, hints, env: { ...process.env, NGINX_BIN: '/nonexistent/nginx' } });
		expect(front).toEqual({ text: `--proxy: nginx not found (apt-get install ${PACKAGES.nginx}); starting without the proxy` });
	});
});
