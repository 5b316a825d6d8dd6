/**
 * CHARACTERIZATION TESTS OF AN ENGINE DEFECT (not of the app): the `__proto__` wedge of the Deno engines.
 *
 * Through the stand-in's HTTP layer, which parses bodies with Rocket.Chat's body parsers (test/server/rest.ts),
 * no proxy: one POST whose JSON body has an own `__proto__` key, to a path of the app, makes the app's Deno
 * runtime stop reading (its msgpack decoder throws "The key __proto__ is not allowed" and its read loop ends).
 * That request and every later one to the app fail with the engine's timeout, until the engine's liveness check
 * restarts the subprocess; then the app answers again.
 *
 * These tests pin what the engines do today. When an engine release fixes the defect, they fail on that engine:
 * then update docs/security.md (the `__proto__` wedge) and this file.
 *
 * Wall time: Rocket.Chat's timings (30 s request timeout, a ping every 10 s, restart after 4 missed) would take a
 * minute per engine; the stand-in runs with FAST_TIMINGS (tools/reproWedge.ts): the engine's own
 * APPS_ENGINE_RUNTIME_TIMEOUT, and the LivenessManager's options (test/engine/host/liveness.ts).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';

import { isDenoEngine } from '../engine/engines';
import type { EngineName } from '../engine/host';
import { documentedResponseAsServed, ENGINES } from '../engine/support';
import { FAST_TIMINGS, WEDGE_BODY } from '../../tools/reproWedge';
import type { RunningServer } from './index';
import { DEMO, startServer } from './index';
import type { HttpAnswer } from './support';
import { auth, isAlive, request, waitGone } from './support';

const DENO_ENGINES = ENGINES.filter((engine) => isDenoEngine(engine));

/**
 * What each Deno engine does once the runtime's read loop has ended, as measured:
 * - 'restart': the subprocess stays alive without reading; pings go unanswered and the liveness check restarts it.
 * - 'exits': 1.53.1's runtime returns from main and its subprocess exits with code 0; the engine's LivenessManager
 *   (server/runtime/deno/LivenessManager.js, handleExit) takes a clean exit for a wanted one and neither pings nor
 *   restarts again: the app stays down until it is restarted (disabled and enabled, or the server restarted).
 */
const AFTER_WEDGE: Record<EngineName, 'restart' | 'exits' | 'not affected'> = {
	'1.42': 'not affected',
	'1.53': 'exits',
	'1.59': 'restart',
	'1.62': 'restart',
};
/** how long the 'exits' case watches for a restart that does not come: 8 ping intervals of FAST_TIMINGS */
const NO_RESTART_WATCH_MS = 8 * FAST_TIMINGS.liveness.pingIntervalMs;
const TIMEOUT = FAST_TIMINGS.runtimeTimeoutMs;
/** generous: the restart takes about 4 missed pings (4.5 s) plus the new subprocess' start */
const RESTART_DEADLINE_MS = 30000;

const caller = { id: DEMO.callerId, token: DEMO.callerToken };

function timedOut(appId: string, method: string): RegExp {
	return new RegExp(`^\\[${appId}\\] Request "[a-z0-9]+" for method "${method}" timed out( after ${TIMEOUT}ms)?$`);
}

interface Timed {
	answer: HttpAnswer;
	sentAt: number;
	ms: number;
}

async function timed(since: number, url: string, call: Parameters<typeof request>[1] = {}): Promise<Timed> {
	const sentAt = Date.now() - since;
	const started = Date.now();
	const answer = await request(url, call);
	return { answer, sentAt, ms: Date.now() - started };
}

describe.each(DENO_ENGINES)('characterization of engine %s: the __proto__ wedge, through the stand-in, no proxy', (engine: EngineName) => {
	let server: RunningServer;
	const room = (): string => `${server.appBaseUrl}/voip/room?token=${DEMO.visitorToken}&rid=${DEMO.roomId}`;

	beforeAll(async () => {
		server = await startServer({ engine, port: 0, rateLimit: false, ...FAST_TIMINGS });
	});

	afterAll(async () => {
		if (server) {
			await server.stop();
		}
	});

	const restarts = AFTER_WEDGE[engine] === 'restart';
	/** registers the test only on the engines it describes (no skipped placeholder on the others) */
	const itWhen = (when: boolean): typeof it => (when ? it : ((() => undefined) as unknown as typeof it));

	itWhen(!restarts)(
		'one POST with an own __proto__ in its JSON body: it and the next request fail with the engine timeout; the subprocess exits cleanly and is never restarted',
		async () => {
			const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
			try {
				const pid = server.host.runtimePid() as number;
				expect(isAlive(pid)).toBe(true);
				const t0 = Date.now();
				const hostile = await timed(t0, `${server.appBaseUrl}/voip/room`, {
					method: 'POST',
					headers: { ...auth(caller), 'Content-Type': 'application/json' },
					body: WEDGE_BODY,
				});
				expect([hostile.answer.status, hostile.answer.text]).toEqual([
					500,
					expect.stringMatching(timedOut(server.appId, 'api:voip/room:post')),
				]);
				expect(await waitGone(pid, TIMEOUT)).toBe(true);
				// watch for a restart that does not come, then one more request: still the engine's timeout
				await new Promise((resolve) => setTimeout(resolve, NO_RESTART_WATCH_MS));
				const after = await timed(t0, room(), { headers: auth(caller) });
				expect([after.answer.status, after.answer.text]).toEqual([
					500,
					expect.stringMatching(timedOut(server.appId, 'api:voip/room:get')),
				]);
				expect(server.host.logText()).not.toContain('runtime:restart');
				console.log(
					`wedge on ${engine}: the subprocess exited; no restart within ${after.sentAt} ms: down until the app is restarted`,
				);
			} finally {
				errors.mockRestore();
				// a fresh server for the cases below (what an administrator's restart of the app would give)
				await server.stop();
				server = await startServer({ engine, port: 0, rateLimit: false, ...FAST_TIMINGS });
			}
		},
		60000,
	);

	itWhen(restarts)(
		'one POST with an own __proto__ in its JSON body: it and the next request fail with the engine timeout; the app answers again after the engine restarts its subprocess',
		async () => {
			// the engine console.errors each failed request and the restart: expected here
			const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
			try {
				const before = await request(room(), { headers: auth(caller) });
				expect([before.status, JSON.parse(before.text)]).toEqual([200, documentedResponseAsServed()]);
				const pid = server.host.runtimePid();

				const t0 = Date.now();
				const wedging = timed(t0, `${server.appBaseUrl}/voip/room`, {
					method: 'POST',
					headers: { ...auth(caller), 'Content-Type': 'application/json' },
					body: WEDGE_BODY,
				});
				await new Promise((resolve) => setTimeout(resolve, 100));
				const next = timed(t0, room(), { headers: auth(caller) });
				const [hostile, following] = await Promise.all([wedging, next]);

				// the request dies in the runtime (no app code runs for a POST: the app has a GET only); no answer, the timeout
				expect([hostile.answer.status, hostile.answer.text]).toEqual([
					500,
					expect.stringMatching(timedOut(server.appId, 'api:voip/room:post')),
				]);
				expect(hostile.ms).toBeGreaterThanOrEqual(TIMEOUT);
				expect([following.answer.status, following.answer.text]).toEqual([
					500,
					expect.stringMatching(timedOut(server.appId, 'api:voip/room:get')),
				]);
				expect(following.ms).toBeGreaterThanOrEqual(TIMEOUT);

				// then a GET every 250 ms (not waiting for the answers) until the app answers one
				const probes: Array<Promise<Timed | undefined>> = [];
				const answered: Timed[] = [];
				while (!answered.some((probe) => probe.answer.status === 200) && Date.now() - t0 < RESTART_DEADLINE_MS) {
					probes.push(
						timed(t0, room(), { headers: auth(caller) }).then(
							(probe) => {
								answered.push(probe);
								return probe;
							},
							() => undefined,
						),
					);
					await new Promise((resolve) => setTimeout(resolve, 250));
				}
				await Promise.all(probes);
				const ok = answered.filter((probe) => probe.answer.status === 200).sort((a, b) => a.sentAt - b.sentAt);
				const back = ok[0];
				const failed = answered.filter((probe) => probe.answer.status !== 200);
				expect(back).toBeDefined();
				expect(JSON.parse(back.answer.text)).toEqual(documentedResponseAsServed());
				// every probe sent before it failed: the engine's timeout, or its 500 while the new subprocess starts
				expect(failed.every((probe) => probe.sentAt < back.sentAt && probe.answer.status === 500)).toBe(true);
				// a new subprocess, started by the engine's liveness check (its log: runtime:restart)
				expect(server.host.runtimePid()).not.toBe(pid);
				const restarts = server.host
					.logText()
					.split('\n')
					.filter((line) => line.startsWith('runtime:restart') && line.includes('Successfully restarted app subprocess'));
				expect(restarts.length).toBe(1);
				expect(server.host.logText()).toContain('Too many pings timed out');
				expect(back.sentAt).toBeGreaterThanOrEqual(TIMEOUT);
				console.log(
					`wedge on ${engine}: down ${back.sentAt} ms (request timeout ${TIMEOUT} ms; liveness ${JSON.stringify(FAST_TIMINGS.liveness)}); ` +
						`${failed.length} probes sent every 250 ms failed meanwhile`,
				);
			} finally {
				errors.mockRestore();
			}
		},
	);

	it.each([
		['the same JSON without __proto__', 'application/json', '{"a":{}}'],
		['a form body: qs drops __proto__ (and a[__proto__])', 'application/x-www-form-urlencoded', '__proto__[x]=1&a[__proto__]=2&b=c'],
		['a +json type: body-parser leaves it unparsed (content {})', 'application/ld+json', WEDGE_BODY],
		['a text body: unparsed', 'text/plain', WEDGE_BODY],
	])(
		'not the way in: %s; the runtime answers the POST at once (no such method) and the app keeps answering',
		async (_case, type, body) => {
			const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
			try {
				const post = await request(`${server.appBaseUrl}/voip/room`, {
					method: 'POST',
					headers: { ...auth(caller), 'Content-Type': type },
					body,
				});
				expect([post.status, post.text]).toEqual([500, "voip/room's post not exists"]);
				const res = await request(room(), { headers: auth(caller) });
				expect([res.status, JSON.parse(res.text)]).toEqual([200, documentedResponseAsServed()]);
			} finally {
				errors.mockRestore();
			}
		},
	);
});
