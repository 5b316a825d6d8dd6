/**
 * The bench's own minimal HTTP front over a host: what Rocket.Chat's HTTP layer does for app endpoints, and nothing
 * else. `/api/apps/public/{appId}/{path}` → the app of that id; `X-User-Id` + `X-Auth-Token` checked against
 * `data.tokens` (plain-text 401 `Unauthorized` where the endpoint requires auth); the query as the server's parser
 * gives it (a repeated key becomes an array); the app's status, headers and JSON body sent back. Loopback only.
 *
 * Used for the HTTP half of the bench when test/server (`startServer`) cannot serve the baseline app.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import type { Host } from '../engine/host';

export interface Front {
	url: string;
	stop(): Promise<void>;
}

const PREFIX = '/api/apps/public/';

function parseQuery(search: URLSearchParams): Record<string, unknown> {
	const query: Record<string, unknown> = {};
	for (const key of new Set(search.keys())) {
		const values = search.getAll(key);
		Object.defineProperty(query, key, {
			value: values.length > 1 ? values : values[0],
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return query;
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
	res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
	res.end(body);
}

async function handle(host: Host, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
	const url = new URL(req.url || '/', 'http://127.0.0.1');
	if (!url.pathname.startsWith(PREFIX)) {
		send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found');
		return;
	}
	const rest = url.pathname.slice(PREFIX.length);
	const slash = rest.indexOf('/');
	const appId = slash === -1 ? rest : rest.slice(0, slash);
	const path = slash === -1 ? '' : decodeURIComponent(rest.slice(slash + 1));
	const userId = String(req.headers['x-user-id'] || '');
	const token = String(req.headers['x-auth-token'] || '');
	const tokens = host.db.tokens || {};
	const authenticated = userId !== '' && token !== '' && tokens[userId] === token;
	if (!authenticated) {
		// every app endpoint of the bench requires auth: the server answers before the app runs
		send(res, 401, { 'content-type': 'text/plain; charset=utf-8' }, 'Unauthorized');
		return;
	}
	const headers: Record<string, string> = {};
	for (const key of Object.keys(req.headers)) {
		const value = req.headers[key];
		headers[key] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	const result = await host.call(path, {
		method: (req.method || 'GET').toLowerCase() as 'get',
		query: parseQuery(url.searchParams),
		userId,
		headers,
		appId,
	});
	const body = typeof result.content === 'string' ? result.content : JSON.stringify(result.content);
	send(res, result.status, result.headers, body === undefined ? '' : body);
}

export function startFront(host: Host): Promise<Front> {
	const server = http.createServer((req, res) => {
		handle(host, req, res).catch((e: unknown) => {
			send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, e instanceof Error ? e.message : String(e));
		});
	});
	server.keepAliveTimeout = 30000;
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			resolve({
				url: `http://127.0.0.1:${port}`,
				stop: () =>
					new Promise<void>((done) => {
						server.closeAllConnections();
						server.close(() => done());
					}),
			});
		});
	});
}
