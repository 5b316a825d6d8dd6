/**
 * Hostile input through the real engine: 10,000 generated requests per engine (fast-check, seeded), each checked
 * against the contract's exact answer (oracle.ts) for the seed data. Rate limit off (see rateLimit.test.ts for
 * the property with it on). Afterwards: the app is still enabled, no prototype of this process changed, the app
 * logged nothing of its own, and exactly the predicted rooms were created.
 *
 * Reproduce a failure with the seed it prints: VOIPROOM_FUZZ_SEED=<seed> npx jest test/robustness/fuzz.
 * VOIPROOM_FUZZ_RUNS changes the number of batches (10 requests each).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { EngineName, Host } from '../engine/host';
import { ENGINES } from '../engine/support';
import type { FuzzRequest } from './arbitraries';
import { requestArbitrary } from './arbitraries';
import type { Prediction } from './oracle';
import { asDelivered, asReceived, isStateful, predict } from './oracle';
import { expectStillHealthy } from './fuzzChecks';
import { snapshotPrototypes } from './protoGuard';
import { closeOpenRoomsOf, SEED, startRobustHost } from './world';

export const FUZZ_SEED = Number(process.env.VOIPROOM_FUZZ_SEED || 5050505);
const RUNS = Number(process.env.VOIPROOM_FUZZ_RUNS || 1000);
const BATCH = 10;

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOWED_STATUSES = [200, 400, 401, 403];

interface Tally {
	tried: number;
	created: number;
	statuses: Map<string, number>;
}

function bump(tally: Tally, key: string): void {
	tally.statuses.set(key, (tally.statuses.get(key) || 0) + 1);
}

async function send(host: Host, request: FuzzRequest) {
	return host.call('voip/room', { method: 'get', query: request.query, userId: request.callerId, headers: request.headers });
}

/** One answer against its prediction: status, JSON envelope, exact error, the room named, nothing else. */
async function check(host: Host, engine: EngineName, request: FuzzRequest, prediction: Prediction, tally: Tally): Promise<void> {
	const res = await send(host, request);
	tally.tried += 1;
	const context = { seed: FUZZ_SEED, engine, request, prediction };
	expect({ ...context, status: res.status }).toEqual({ ...context, status: prediction.status });
	expect(ALLOWED_STATUSES).toContain(res.status);
	expect(res.headers['content-type']).toBe(JSON_TYPE);
	expect(res.headers['x-ratelimit-limit']).toBeUndefined();
	if (prediction.kind === 'error') {
		expect({ ...context, body: res.content }).toStrictEqual({ ...context, body: prediction.body });
		bump(tally, `${res.status} ${prediction.body.errorType || prediction.body.error}`);
		return;
	}
	const body = res.content as { room: { _id: string; v?: { token?: string }; servedBy?: { _id?: string } }; newRoom: boolean };
	expect(Object.keys(body)).toEqual(['room', 'newRoom', 'success']);
	if (prediction.kind === 'found') {
		expect([body.room._id, body.newRoom]).toEqual([prediction.roomId, false]);
		bump(tally, '200 found');
	} else {
		expect([body.newRoom, body.room.v && body.room.v.token, body.room.servedBy && body.room.servedBy._id]).toEqual([
			true,
			prediction.visitorToken,
			prediction.agentId,
		]);
		const stored = host.db.rooms.find((room) => room._id === body.room._id);
		expect(stored && stored.open).toBe(true);
		// Closed at once, so that the next lookup of this visitor creates again (the oracle stays stateless).
		expect(closeOpenRoomsOf(host, prediction.visitorToken)).toBe(1);
		tally.created += 1;
		bump(tally, '200 created');
	}
	// Never another visitor's room: the room's visitor is the caller's.
	expect(body.room.v && body.room.v.token).toBe((asReceived(engine, request.query) as { token: string }).token);
}

describe.each(ENGINES)('fuzzing voip/room on engine %s', (engine: EngineName) => {
	let host: Host;

	beforeAll(async () => {
		host = await startRobustHost(engine);
	}, 120000);

	afterAll(async () => {
		if (host) {
			await host.stop();
		}
	});

	it(`answers ${RUNS * BATCH} generated requests exactly as the contract says, and nothing breaks`, async () => {
		// Warm up (lazy engine paths), then snapshot the prototypes.
		expect((await send(host, { query: {}, callerId: null, headers: {} })).status).toBe(401);
		const prototypes = snapshotPrototypes();
		const roomsBefore = host.db.rooms.length;
		const tally: Tally = { tried: 1, created: 0, statuses: new Map([['401 You must be logged in to do this.', 1]]) };

		await fc.assert(
			fc.asyncProperty(fc.array(requestArbitrary(engine), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
				const planned = batch.map((request) => ({
					request,
					prediction: asDelivered(engine, predict(host.db, asReceived(engine, request.query), request.callerId)),
				}));
				// What no other request of the batch can change runs concurrently; the rest one at a time.
				await Promise.all(
					planned.filter((p) => !isStateful(p.prediction)).map((p) => check(host, engine, p.request, p.prediction, tally)),
				);
				for (const { request } of planned.filter((p) => isStateful(p.prediction))) {
					const prediction = asDelivered(engine, predict(host.db, asReceived(engine, request.query), request.callerId));
					await check(host, engine, request, prediction, tally);
				}
			}),
			{ seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
		);

		const statuses = Object.fromEntries([...tally.statuses.entries()].sort((a, b) => b[1] - a[1]));
		console.log(`fuzz ${engine}: seed ${FUZZ_SEED}, ${tally.tried} requests, ${tally.created} rooms created`, statuses);
		expect(tally.tried).toBe(RUNS * BATCH + 1);
		expect(
			[
				'200 found',
				'200 created',
				'400 invalid-params',
				'400 invalid-token',
				'400 invalid-room',
				'400 agent-not-found',
				'403 User does not have the permissions required for this action [error-unauthorized]',
			].filter((key) => !tally.statuses.has(key)),
		).toEqual([]);
		await expectStillHealthy(host, prototypes);
		expect(host.db.rooms.length).toBe(roomsBefore + tally.created);
		// Still serving: the documented call answers as before.
		const after = await send(host, { query: { token: SEED.visitorToken, rid: SEED.roomId }, callerId: SEED.callerId, headers: {} });
		expect([after.status, (after.content as { room: { _id: string } }).room._id]).toEqual([200, SEED.roomId]);
	}, 300000);
});
