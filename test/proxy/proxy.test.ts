/**
 * The configurations of docs/original-urls.md ("Keep the original URLs"), run verbatim (only the two ports changed) in the real nginx
 * and Caddy of Debian, in front of the stand-in (test/server) on a Deno engine: the original core URLs answered by
 * the app, everything else passed on untouched (websockets included), the `__proto__` shield of the nginx block, and
 * Rocket.Chat's own REST client through nginx. "caddy → nginx" is Caddy in front of the nginx block, the page's
 * answer to Caddy's lack of body inspection. What the stand-in received is compared byte for byte (test/server/tap.ts).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as zlib from 'zlib';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RestClient } from '@rocket.chat/api-client';

import { isDenoEngine } from '../engine/engines';
import type { RcData } from '../engine/host';
import { documentedResponseAsServed, ENGINES } from '../engine/support';
import { demoData, DEMO, startServer } from '../server';
import type { ReceivedRequest, RunningServer } from '../server';
import { zipPath } from '../../tools/package';
import type { Answer, Sent } from './http';
import { send } from './http';
import type { RunningProxy } from './proxies';
import { proxyTools, startCaddy, startNginx } from './proxies';
import './voipEndpoints';
import { echoWebsocket, exchangeOverWebsocket } from './websocket';

const APP_ID = '2c6d81eb-0039-41a3-9399-92fd3df46d00';
const APP = `/api/apps/public/${APP_ID}`;
const CALLER = { 'X-User-Id': DEMO.callerId, 'X-Auth-Token': DEMO.callerToken };
const MANAGER = { 'X-User-Id': DEMO.managerId, 'X-Auth-Token': DEMO.managerToken };
const JSON_TYPE = { 'Content-Type': 'application/json' };
const JSON_UTF8 = 'application/json; charset=utf-8';
const BAD_REQUEST = { success: false, error: "must have required property 'agentId' [invalid-params]", errorType: 'invalid-params' };
const FORBIDDEN_KEY =
	'{"success":false,"error":"The request body has the object key __proto__, which apps cannot be sent [error-forbidden-key]","errorType":"error-forbidden-key"}';
const MAX_PARSED = 8 * 1024 * 1024;
/** a Deno engine: the one the `__proto__` wedge hits */
const ENGINE = ENGINES.find(isDenoEngine);

/** A caller of its own with one open livechat room per close test, so that closing leaves the demo rooms alone. */
const CLOSER = { visitorId: 'Pr0xyV1s1t0rAbCdE', token: 'proxy-test-visitor-token' };
const CLOSE_ROOMS = {
	nginx: 'Pr0xyCl0s3Ngx0001',
	caddy: 'Pr0xyCl0s3Cdy0001',
	'caddy → nginx': 'Pr0xyCl0s3Chn0001',
	client: 'Pr0xyCl0s3Cli0001',
};

function testData(): RcData {
	const data = demoData();
	const ts = new Date('2026-01-05T09:00:00.000Z');
	data.visitors.push({
		_id: CLOSER.visitorId,
		username: 'guest-900',
		name: 'Proxy Caller',
		token: CLOSER.token,
		status: 'online',
		ts,
		_updatedAt: ts,
	});
	for (const rid of Object.values(CLOSE_ROOMS)) {
		data.rooms.push({
			_id: rid,
			fname: 'Proxy Caller',
			t: 'l',
			v: { _id: CLOSER.visitorId, username: 'guest-900', token: CLOSER.token, status: 'online' },
			open: true,
			msgs: 0,
			ts,
			_updatedAt: ts,
			servedBy: { _id: DEMO.agentId, username: 'kim.jane', ts },
		});
	}
	return data;
}

const tools = proxyTools();
const missing = [...tools.nginx.missing, ...tools.caddy.missing];
const runs = missing.length === 0 || !!process.env.CI;
if (!runs) {
	process.stderr.write(
		`test/proxy/proxy.test.ts not run: ${missing.join(', ')} missing (apt-get install ${tools.nginx.packages} ${tools.caddy.packages})\n`,
	);
}

type Front = 'nginx' | 'caddy' | 'caddy → nginx';
const FRONTS: Front[] = ['nginx', 'caddy', 'caddy → nginx'];

(runs ? describe : describe.skip)(`the proxy configurations of docs/original-urls.md in front of the stand-in (engine ${ENGINE})`, () => {
	let server: RunningServer;
	let nginx: RunningProxy;
	let caddy: RunningProxy;
	let chain: RunningProxy;
	const received: ReceivedRequest[] = [];
	const url = (front: Front): string => ({ nginx: nginx.url, caddy: caddy.url, 'caddy → nginx': chain.url })[front];

	beforeAll(async () => {
		if (!ENGINE) {
			throw new Error('no Deno engine in ENGINES');
		}
		server = await startServer({
			engine: ENGINE,
			port: 0,
			data: testData(),
			onRequest: (request) => received.push(request),
			onUpgrade: echoWebsocket,
		});
		// the limiter on (its headers are checked), high enough for the suite
		await server.host.setSetting('requests_per_minute', 1000);
		[nginx, caddy] = await Promise.all([startNginx({ upstreamPort: server.port }), startCaddy({ upstreamPort: server.port })]);
		chain = await startCaddy({ upstreamPort: nginx.port });
	});

	afterAll(async () => {
		await Promise.all([nginx, caddy, chain].map((proxy) => (proxy ? proxy.stop() : undefined)));
		if (server) {
			await server.stop();
		}
	});

	beforeEach(() => {
		received.length = 0;
	});

	/**
	 * Waits (up to 5 s) until the stand-in has received `count` requests: a server that answers before reading the
	 * body (an unknown app's 404) receives the rest of it after its answer.
	 */
	const receivedAtLeast = async (count: number): Promise<ReceivedRequest[]> => {
		const deadline = Date.now() + 5000;
		while (received.length < count && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		return received;
	};

	const json = (answer: Answer): unknown => JSON.parse(answer.text);
	/** the JSON answer, or its text when it is not JSON (so that a failure shows what came instead) */
	const parsed = (answer: Answer): unknown =>
		/^application\/json/.test(String(answer.headers['content-type'])) ? json(answer) : answer.text;

	describe.each(FRONTS)('the original URLs through %s', (front) => {
		it("the seed's curl at GET /api/v1/voip/room answers the documented room; the app's voip/room gets query and headers unchanged", async () => {
			const query = `token=${DEMO.visitorToken}&agentId=${DEMO.callerId}`;
			const args = [
				'--silent',
				'--show-error',
				'--location',
				'--request',
				'GET',
				`${url(front)}/api/v1/voip/room?${query}`,
				'--header',
				`X-Auth-Token: ${DEMO.callerToken}`,
				'--header',
				`X-User-Id: ${DEMO.callerId}`,
				'--header',
				'Content-Type: application/json',
				'--write-out',
				'\n%{http_code} %{content_type}',
			];
			const out = await new Promise<string>((resolve, reject) =>
				execFile('curl', args, (error, stdout) => (error ? reject(error) : resolve(stdout))),
			);
			const status = out.slice(out.lastIndexOf('\n') + 1);
			expect(status).toBe(`200 ${JSON_UTF8}`);
			expect(JSON.parse(out.slice(0, out.lastIndexOf('\n')))).toEqual(documentedResponseAsServed());
			expect(
				received.map((r) => [r.method, r.url, r.headers['x-user-id'], r.headers['x-auth-token'], r.headers['content-type']]),
			).toEqual([['GET', `${APP}/voip/room?${query}`, DEMO.callerId, DEMO.callerToken, 'application/json']]);
		});

		it('the rid form answers the documented room', async () => {
			const answer = await send(`${url(front)}/api/v1/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, { headers: CALLER });
			expect([answer.status, answer.headers['content-type'], json(answer)]).toEqual([200, JSON_UTF8, documentedResponseAsServed()]);
		});

		it('a bad request keeps its JSON 400', async () => {
			const answer = await send(`${url(front)}/api/v1/voip/room?token=${DEMO.visitorToken}`, { headers: CALLER });
			expect([answer.status, answer.headers['content-type'], json(answer)]).toEqual([400, JSON_UTF8, BAD_REQUEST]);
		});

		it('X-RateLimit-* headers come through', async () => {
			const call = (): Promise<Answer> =>
				send(`${url(front)}/api/v1/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, { headers: MANAGER });
			const before = Date.now();
			const first = await call();
			const second = await call();
			expect([first.status, second.status]).toEqual([200, 200]);
			expect([first.headers['x-ratelimit-limit'], second.headers['x-ratelimit-limit']]).toEqual(['1000', '1000']);
			// one window (the manager's, started by the first of these tests) or, if it ended in between, a new one
			const sameWindow = second.headers['x-ratelimit-reset'] === first.headers['x-ratelimit-reset'];
			const expected = sameWindow ? Number(first.headers['x-ratelimit-remaining']) - 1 : 999;
			expect(Number(second.headers['x-ratelimit-remaining'])).toBe(expected);
			const reset = Number(second.headers['x-ratelimit-reset']);
			expect(reset > before && reset <= Date.now() + 60000).toBe(true);
		});

		it("no credentials: the server's 401 Unauthorized", async () => {
			const answer = await send(`${url(front)}/api/v1/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`);
			expect([answer.status, answer.headers['content-type'], answer.text]).toEqual([401, 'text/html; charset=utf-8', 'Unauthorized']);
		});

		it('the query string goes on as sent, percent-encoding and all', async () => {
			const query = 'token=a%20b&agentId=x%2Fy&extra=%E2%9C%93';
			const answer = await send(`${url(front)}/api/v1/voip/room?${query}`, { headers: CALLER });
			expect([answer.status, json(answer)]).toEqual([
				400,
				{ success: false, error: "must NOT have additional properties: 'extra' [invalid-params]", errorType: 'invalid-params' },
			]);
			expect(received.map((r) => r.url)).toEqual([`${APP}/voip/room?${query}`]);
		});

		it('GET /api/info reaches the stand-in unchanged', async () => {
			const [proxied, direct] = await Promise.all([send(`${url(front)}/api/info`), send(`${server.url}/api/info`)]);
			expect([proxied.status, proxied.headers['content-type'], json(proxied)]).toEqual([
				200,
				direct.headers['content-type'],
				json(direct),
			]);
			expect(received.map((r) => [r.method, r.url])).toEqual([
				['GET', '/api/info'],
				['GET', '/api/info'],
			]);
		});

		it('an unrelated path, and a POST to the GET route, reach the stand-in untouched', async () => {
			const unrelated = await send(`${url(front)}/some/unrelated%20path/a%2Fb?y=1&z=%2F`, { headers: { 'X-Custom': 'kept' } });
			const post = await send(`${url(front)}/api/v1/voip/room?token=t`, { method: 'POST', headers: CALLER });
			expect([unrelated.status, unrelated.text, post.status, post.text]).toEqual([404, 'Not Found', 404, 'Not Found']);
			expect(received.map((r) => [r.method, r.url, r.headers['x-custom']])).toEqual([
				['GET', '/some/unrelated%20path/a%2Fb?y=1&z=%2F', 'kept'],
				['POST', '/api/v1/voip/room?token=t', undefined],
			]);
		});

		it('a websocket upgrade is forwarded: 101, then frames both ways', async () => {
			const exchange = await exchangeOverWebsocket(`${url(front)}/websocket`, 'ping');
			expect(exchange.status).toBe(101);
			expect(exchange.accept).toBe(exchange.expectedAccept);
			expect(exchange.received).toEqual(['hello from Rocket.Chat', 'echo:ping']);
		});

		it("POST /api/v1/voip/room.close reaches the app's close route: 200 { rid, success } (needs the close route, CONTRACT §5)", async () => {
			const rid = CLOSE_ROOMS[front];
			const body = JSON.stringify({ rid, token: CLOSER.token, options: { comment: `closed through ${front}` } });
			const answer = await send(`${url(front)}/api/v1/voip/room.close`, {
				method: 'POST',
				headers: { ...CALLER, ...JSON_TYPE },
				body,
			});
			expect(received.map((r) => [r.method, r.url, r.body.toString('utf8')])).toEqual([['POST', `${APP}/voip/room.close`, body]]);
			expect([answer.status, answer.headers['content-type'], parsed(answer)]).toEqual([200, JSON_UTF8, { rid, success: true }]);
		});

		it.each([
			['DELETE', 'voip/room', 'GET'],
			['HEAD', 'voip/ROOM/', 'GET'],
			['GET', 'voip/room.close', 'POST'],
			['PUT', 'voip/room.close', 'POST'],
		])("%s on the app's %s: JSON 405, Allow: %s, nothing passed on", async (method, path, allowed) => {
			const answer = await send(`${url(front)}${APP}/${path}`, { method, headers: CALLER });
			expect([answer.status, answer.headers.allow, answer.headers['content-type']]).toEqual([405, allowed, 'application/json']);
			if (method !== 'HEAD') {
				expect(json(answer)).toEqual({
					success: false,
					error: `This endpoint accepts ${allowed} only [error-method-not-allowed]`,
					errorType: 'error-method-not-allowed',
				});
			}
			expect(received).toEqual([]);
		});
	});

	describe('the __proto__ shield (nginx)', () => {
		const OTHER_APP = '/api/apps/public/0ther-app-1d/some/endpoint';
		const deep = `${'['.repeat(1200)}{"__proto__":1}${']'.repeat(1200)}`;
		const hostile: Array<[string, string, Sent]> = [
			[
				'top-level, to the close route',
				'/api/v1/voip/room.close',
				{ method: 'POST', headers: JSON_TYPE, body: '{"rid":"r","__proto__":{"x":1}}' },
			],
			[
				'nested',
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: JSON_TYPE, body: '{"rid":"r","options":{"x":{"__proto__":1}}}' },
			],
			[
				'hidden in arrays',
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: JSON_TYPE, body: '[1,{"a":[[{"__proto__":null}]]}]' },
			],
			['escaped', `${APP}/voip/room.close`, { method: 'POST', headers: JSON_TYPE, body: '{"\\u005f\\u005fproto\\u005F\\u005F":1}' }],
			[
				'behind a lone surrogate (cjson refuses, JSON.parse accepts)',
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: JSON_TYPE, body: '{"a":"\\ud800","__proto__":1}' },
			],
			['behind a byte order mark', `${APP}/voip/room.close`, { method: 'POST', headers: JSON_TYPE, body: '\uFEFF{"__proto__":1}' }],
			['1,200 levels deep', `${APP}/voip/room.close`, { method: 'POST', headers: JSON_TYPE, body: deep }],
			[
				"in a 200 kB body (read from nginx's temp file)",
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: JSON_TYPE, body: `{"pad":"${'x'.repeat(200 * 1024)}","__proto__":1}` },
			],
			['chunked', `${APP}/voip/room.close`, { method: 'POST', headers: JSON_TYPE, body: '{"__proto__":1}', chunked: true }],
			[
				'as a form key',
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'rid=r&__proto__=1' },
			],
			[
				'as a percent-encoded form key',
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'rid=r&%5F%5Fproto%5f%5f=1' },
			],
			['to another app', OTHER_APP, { method: 'POST', headers: JSON_TYPE, body: '{"__proto__":1}' }],
			[
				'with GET, to the GET route',
				`${APP}/voip/room?token=t&rid=r`,
				{ method: 'GET', headers: JSON_TYPE, body: '{"__proto__":1}' },
			],
			[
				'typed APPLICATION/JSON; charset=UTF-8',
				`${APP}/voip/room.close`,
				{ method: 'POST', headers: { 'Content-Type': 'APPLICATION/JSON; charset=UTF-8' }, body: '{"__proto__":1}' },
			],
			[
				'typed application/vnd.api+json',
				OTHER_APP,
				{ method: 'POST', headers: { 'Content-Type': 'application/vnd.api+json' }, body: '{"__proto__":1}' },
			],
		];

		it.each(hostile)('%s: JSON 400, never passed on, and the app answers the next request at once', async (_name, path, sent) => {
			const answer = await send(`${nginx.url}${path}`, { ...sent, headers: { ...CALLER, ...sent.headers } });
			expect([answer.status, answer.headers['content-type'], answer.text]).toEqual([400, 'application/json', FORBIDDEN_KEY]);
			const next = await send(`${nginx.url}/api/v1/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`, { headers: CALLER });
			expect([next.status, json(next)]).toEqual([200, documentedResponseAsServed()]);
			expect(received.map((r) => r.url)).toEqual([`${APP}/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`]);
		});

		it('through caddy → nginx the same body is refused too', async () => {
			const answer = await send(`${chain.url}/api/v1/voip/room.close`, {
				method: 'POST',
				headers: { ...CALLER, ...JSON_TYPE },
				body: '{"__proto__":1}',
			});
			expect([answer.status, answer.text]).toEqual([400, FORBIDDEN_KEY]);
			expect(received).toEqual([]);
		});

		it('Caddy alone passes it on byte for byte: it cannot inspect bodies (docs/original-urls.md says so)', async () => {
			const body = '{"__proto__":1}';
			const answer = await send(`${caddy.url}${OTHER_APP}`, { method: 'POST', headers: { ...CALLER, ...JSON_TYPE }, body });
			expect(answer.status).toBe(404);
			expect((await receivedAtLeast(1)).map((r) => [r.url, r.body.toString('utf8')])).toEqual([[OTHER_APP, body]]);
		});

		const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
		const upload = (): Sent => {
			const boundary = '----voiproom-proxy-test';
			const zip = fs.readFileSync(zipPath());
			const head = `--${boundary}\r\nContent-Disposition: form-data; name="app"; filename="voiproom_1.0.0.zip"\r\nContent-Type: application/zip\r\n\r\n`;
			return {
				method: 'POST',
				headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
				body: Buffer.concat([Buffer.from(head), zip, Buffer.from(`\r\n--${boundary}--\r\n`)]),
			};
		};
		const legitimate: Array<[string, string, () => Sent]> = [
			[
				'a close body with options',
				`${APP}/voip/room.close`,
				() => ({
					method: 'POST',
					headers: JSON_TYPE,
					body: '{"rid":"NoSuchRoom","token":"no-such-token","options":{"comment":"wrap-up","tags":["sales"]}}',
				}),
			],
			[
				'"__proto__" as a value',
				`${APP}/voip/room.close`,
				() => ({ method: 'POST', headers: JSON_TYPE, body: '{"rid":"NoSuchRoom","token":"x","options":{"comment":"__proto__"}}' }),
			],
			// keys that newer msgpack decoders refuse too: sent to an app that does not exist, so no runtime decodes them
			[
				'the keys constructor, prototype, __proto__x',
				OTHER_APP,
				() => ({ method: 'POST', headers: JSON_TYPE, body: '{"constructor":1,"prototype":2,"__proto__x":3,"a":["__proto__"]}' }),
			],
			['a lone surrogate without the key', OTHER_APP, () => ({ method: 'POST', headers: JSON_TYPE, body: '{"a":"\\ud800"}' })],
			[
				'a form body',
				`${APP}/voip/room.close`,
				() => ({ method: 'POST', headers: form, body: 'rid=NoSuchRoom&token=x&comment=__proto__' }),
			],
			[
				'a 1 MiB JSON',
				`${APP}/voip/room.close`,
				() => ({ method: 'POST', headers: JSON_TYPE, body: `{"pad":"${'y'.repeat(1024 * 1024 - 10)}"}` }),
			],
			['invalid JSON', `${APP}/voip/room.close`, () => ({ method: 'POST', headers: JSON_TYPE, body: '{"rid":' })],
			['an empty JSON body', `${APP}/voip/room.close`, () => ({ method: 'POST', headers: JSON_TYPE, body: '' })],
			// The stand-in, as Rocket.Chat's router, reads no body of a type its parsers do not take, answers, and closes
			// the connection: such bodies are compared at sizes that arrive whole with the request (one socket read).
			['an app package (32 kB) uploaded to POST /api/apps', '/api/apps', upload],
			[
				'40 kB of bytes to another app',
				OTHER_APP,
				() => ({
					method: 'POST',
					headers: { 'Content-Type': 'application/octet-stream' },
					body: Buffer.from(Array.from({ length: 40 * 1024 }, (_, i) => (i * 7919) % 256)),
				}),
			],
		];

		it.each(legitimate)('%s arrives byte for byte and is answered as without the proxy', async (_name, path, make) => {
			const sent = make();
			const headers = { ...CALLER, ...sent.headers };
			const direct = await send(`${server.url}${path}`, { ...sent, headers: { ...headers, 'X-Probe': 'direct' } });
			const proxied = await send(`${nginx.url}${path}`, { ...sent, headers: { ...headers, 'X-Probe': 'proxied' } });
			const bytes = Buffer.from(sent.body || '');
			// in the order the bodies ended (a server answering first reads the rest afterwards): sorted by probe
			const arrived = (await receivedAtLeast(2))
				.map((r) => [String(r.headers['x-probe']), r.url, r.complete, Buffer.compare(r.body, bytes) === 0])
				.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
			expect(arrived).toEqual([
				['direct', path, true, true],
				['proxied', path, true, true],
			]);
			expect([proxied.status, proxied.headers['content-type'], proxied.text]).toEqual([
				direct.status,
				direct.headers['content-type'],
				direct.text,
			]);
		});

		it.each([
			['with a Content-Length', false],
			['chunked', true],
		])(`a JSON body over ${MAX_PARSED} bytes, %s: JSON 413, not passed on`, async (_name, chunked) => {
			const body = `{"pad":"${'z'.repeat(MAX_PARSED)}"}`;
			const answer = await send(`${nginx.url}${APP}/voip/room.close`, {
				method: 'POST',
				headers: { ...CALLER, ...JSON_TYPE },
				body,
				chunked,
			});
			expect([answer.status, json(answer)]).toEqual([
				413,
				{
					success: false,
					error: `JSON and form bodies for apps are limited to ${MAX_PARSED} bytes here [error-body-too-large]`,
					errorType: 'error-body-too-large',
				},
			]);
			expect(received).toEqual([]);
		});

		it.each([
			['gzip-compressed', { 'Content-Encoding': 'gzip', ...JSON_TYPE }, zlib.gzipSync('{"__proto__":1}')],
			['utf-16', { 'Content-Type': 'application/json; charset=utf-16le' }, Buffer.from('{"__proto__":1}', 'utf16le')],
		])('a %s JSON body: JSON 415, not passed on', async (_name, headers, body) => {
			const answer = await send(`${nginx.url}${APP}/voip/room.close`, { method: 'POST', headers: { ...CALLER, ...headers }, body });
			expect([answer.status, json(answer)]).toEqual([
				415,
				{
					success: false,
					error: 'JSON and form bodies for apps must be uncompressed utf-8 [error-unsupported-body]',
					errorType: 'error-unsupported-body',
				},
			]);
			expect(received).toEqual([]);
		});
	});

	describe("Rocket.Chat's REST client (@rocket.chat/api-client) through nginx, client code unchanged", () => {
		let client: RestClient;
		beforeAll(() => {
			client = new RestClient({ baseUrl: nginx.url });
			client.setCredentials(CALLER);
		});

		it("get('/v1/voip/room', { token, agentId }) answers the documented room", async () => {
			expect(await client.get('/v1/voip/room', { token: DEMO.visitorToken, agentId: DEMO.callerId })).toEqual(
				documentedResponseAsServed(),
			);
			// query-string (as the client builds it) orders the parameters by name
			expect(received.map((r) => r.url)).toEqual([`${APP}/voip/room?agentId=${DEMO.callerId}&token=${DEMO.visitorToken}`]);
		});

		it("get('/v1/voip/room', { token, rid }) answers the documented room", async () => {
			expect(await client.get('/v1/voip/room', { token: DEMO.visitorToken, rid: DEMO.roomId })).toEqual(documentedResponseAsServed());
		});

		it('a bad request rejects with the 400 response and its JSON, as for any core route', async () => {
			const failure = await client.get('/v1/voip/room', { token: DEMO.visitorToken }).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(failure).toBeInstanceOf(Response);
			const response = failure as Response;
			expect([response.status, await response.json()]).toEqual([400, BAD_REQUEST]);
		});

		it("post('/v1/voip/room.close', { rid, token }) closes the room (needs the close route, CONTRACT §5)", async () => {
			const rid = CLOSE_ROOMS.client;
			expect(await client.post('/v1/voip/room.close', { rid, token: CLOSER.token })).toEqual({ rid, success: true });
		});
	});
});
