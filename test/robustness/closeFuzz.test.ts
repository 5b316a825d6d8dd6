/**
 * Hostile bodies for `voip/room.close` through the real engine: 5,000 generated requests per engine (fast-check,
 * seeded; JSON and form-encoded bodies as Rocket.Chat hands them), each checked against the contract's exact
 * answer (closeOracle.ts) for the store. Rate limit off. A predicted close runs alone; afterwards the room must be
 * closed as the request's visitor, and is opened again (the oracle stays stateless). After every batch every room is
 * as it was: no room is closed that a request did not name with its visitor's token. At the end: the app is still
 * enabled, no prototype of this process changed, the app logged nothing of its own, and it still serves.
 *
 * Reproduce a failure with the seed it prints: VOIPROOM_FUZZ_SEED=<seed> npx jest test/robustness/closeFuzz.
 * VOIPROOM_CLOSE_FUZZ_RUNS changes the number of batches (10 requests each).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { EngineName, Host } from '../engine/host';
import { deepClone } from '../engine/host/converters';
import { ENGINES } from '../engine/support';
import type { CloseFuzzRequest } from './closeArbitraries';
import { closeRequestArbitrary, closeWorldData } from './closeArbitraries';
import type { ClosePrediction } from './closeOracle';
import { bodyAsReceived, closeAsDelivered, predictClose } from './closeOracle';
import { expectStillHealthy } from './fuzzChecks';
import { snapshotPrototypes } from './protoGuard';
import { SEED, startRobustHost } from './world';

const FUZZ_SEED = Number(process.env.VOIPROOM_FUZZ_SEED || 7070707);
const RUNS = Number(process.env.VOIPROOM_CLOSE_FUZZ_RUNS || 500);
const BATCH = 10;

const JSON_TYPE = 'application/json; charset=utf-8';
const ALLOWED_STATUSES = [200, 400, 401, 403];
const FORM_TYPE = 'application/x-www-form-urlencoded';

interface Tally {
	tried: number;
	closed: number;
	statuses: Map<string, number>;
}

function bump(tally: Tally, key: string): void {
	tally.statuses.set(key, (tally.statuses.get(key) || 0) + 1);
}

function send(host: Host, request: CloseFuzzRequest) {
	return host.call('voip/room.close', {
		method: 'post',
		content: request.content,
		userId: request.callerId,
		headers: { 'content-type': request.as === 'form' ? FORM_TYPE : 'application/json' },
	});
}

/** The stored rooms as text, to compare whole. */
const roomsText = (host: Host): string => JSON.stringify(host.db.rooms);

describe.each(ENGINES)('fuzzing voip/room.close on engine %s', (engine: EngineName) => {
	let host: Host;
	/** the pristine documents, to open a closed room again */
	const pristine = closeWorldData();

	beforeAll(async () => {
		host = await startRobustHost(engine, { data: closeWorldData() });
	}, 120000);

	afterAll(async () => {
		if (host) {
			await host.stop();
		}
	});

	/** Puts the room back as it was (open), and drops its closing message. */
	function reopen(rid: string): void {
		const original = pristine.rooms.find((room) => room._id === rid);
		const index = host.db.rooms.findIndex((room) => room._id === rid);
		if (!original || index === -1) {
			throw new Error(`cannot reopen ${rid}`);
		}
		host.db.rooms[index] = deepClone(original);
		host.db.messages = (host.db.messages || []).filter((message) => message.rid !== rid);
	}

	async function check(request: CloseFuzzRequest, prediction: ClosePrediction, tally: Tally): Promise<void> {
		const before = prediction.kind === 'closed' ? undefined : roomsText(host);
		const res = await send(host, request);
		tally.tried += 1;
		const context = { seed: FUZZ_SEED, engine, request: JSON.stringify(request).slice(0, 2000), prediction };
		expect({ ...context, status: res.status }).toEqual({ ...context, status: prediction.status });
		expect(ALLOWED_STATUSES).toContain(res.status);
		expect(res.headers['content-type']).toBe(JSON_TYPE);
		if (prediction.kind === 'error') {
			expect({ ...context, body: res.content }).toStrictEqual({ ...context, body: prediction.body });
			bump(tally, `${res.status} ${prediction.body.errorType || prediction.body.error}`);
			if (before !== undefined) {
				// nothing closed (other requests of the batch, running at the same time, close nothing either)
				expect(roomsText(host)).toBe(before);
			}
			return;
		}
		if (prediction.kind !== 'closed') {
			throw new Error(`the close oracle predicted ${prediction.kind}`);
		}
		expect(res.content).toStrictEqual({ rid: prediction.roomId, success: true });
		const room = host.db.rooms.find((candidate) => candidate._id === prediction.roomId);
		expect(room && ['open' in room, room.closer, room.closedBy && room.closedBy._id]).toEqual([false, 'visitor', prediction.visitorId]);
		const messages = (host.db.messages || []).filter((message) => message.rid === prediction.roomId);
		expect(messages.map((message) => message.t)).toEqual(['livechat-close']);
		reopen(prediction.roomId);
		tally.closed += 1;
		bump(tally, '200 closed');
	}

	it(`answers ${RUNS * BATCH} generated bodies exactly as the contract says; only the named room closes, and nothing breaks`, async () => {
		expect((await send(host, { content: {}, as: 'json', callerId: null })).status).toBe(401);
		const prototypes = snapshotPrototypes();
		const rooms = roomsText(host);
		const tally: Tally = { tried: 1, closed: 0, statuses: new Map([['401 You must be logged in to do this.', 1]]) };

		await fc.assert(
			fc.asyncProperty(fc.array(closeRequestArbitrary(engine), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
				const planned = batch.map((request) => ({
					request,
					prediction: closeAsDelivered(engine, predictClose(host.db, bodyAsReceived(engine, request.content), request.callerId)),
				}));
				// The answers that change nothing run at the same time; each close alone, after them.
				await Promise.all(planned.filter((p) => p.prediction.kind !== 'closed').map((p) => check(p.request, p.prediction, tally)));
				for (const { request, prediction } of planned.filter((p) => p.prediction.kind === 'closed')) {
					await check(request, prediction, tally);
				}
				expect(roomsText(host)).toBe(rooms);
			}),
			{ seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
		);

		const statuses = Object.fromEntries([...tally.statuses.entries()].sort((a, b) => b[1] - a[1]));
		console.log(`close fuzz ${engine}: seed ${FUZZ_SEED}, ${tally.tried} requests, ${tally.closed} rooms closed`, statuses);
		expect(tally.tried).toBe(RUNS * BATCH + 1);
		expect(
			[
				'200 closed',
				'400 invalid-params',
				'400 invalid-token',
				'400 invalid-room',
				'400 room-closed',
				'400 room-not-closable',
				'403 User does not have the permissions required for this action [error-unauthorized]',
			].filter((key) => !tally.statuses.has(key)),
		).toEqual([]);
		await expectStillHealthy(host, prototypes);
		// Still serving: a close of the documented room answers as before.
		const after = await send(host, { content: { rid: SEED.roomId, token: SEED.visitorToken }, as: 'json', callerId: SEED.callerId });
		expect([after.status, after.content]).toEqual([200, { rid: SEED.roomId, success: true }]);
	}, 300000);
});
