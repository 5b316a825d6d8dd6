/**
 * What the server tests share: plain HTTP with Node's `http` client, waiting for a process to be gone, and one
 * server for a whole describe block.
 */
import type { IncomingHttpHeaders } from 'http';
import * as http from 'http';

import { afterAll, beforeAll } from '@jest/globals';

import type { RunningServer, ServerOptions } from './index';
import { startServer } from './index';

export interface HttpAnswer {
	status: number;
	headers: IncomingHttpHeaders;
	text: string;
}

export interface HttpCall {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
}

/** One request on a fresh connection (no keep-alive: a stopped server is never reached through a pooled socket). */
export function request(url: string, call: HttpCall = {}): Promise<HttpAnswer> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: call.method || 'GET', headers: call.headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () =>
				resolve({ status: res.statusCode || 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
			);
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(call.body);
	});
}

export function auth(user: { id: string; token: string }): Record<string, string> {
	return { 'X-User-Id': user.id, 'X-Auth-Token': user.token };
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Polls until the process is gone; false if it is still there after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs = 10000): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (isAlive(pid)) {
		if (Date.now() > deadline) {
			return false;
		}
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	return true;
}

/** Starts one server before the describe block's tests (handed to `started`) and stops it after them. */
export function serverPerSuite(options: ServerOptions, started: (server: RunningServer) => void): void {
	let server: RunningServer | undefined;
	beforeAll(async () => {
		server = await startServer(options);
		started(server);
	});
	afterAll(async () => {
		if (server) {
			await server.stop();
		}
	});
}
