/**
 * The stand-in's close (closeRoom.ts) in the window Rocket.Chat has between its checks and its write: two closes of
 * one room handed the same open copy (as two requests that read the room before either closed it hand theirs),
 * both held in that window. What comes out is what each line's source lets through: 6.x
 * (LivechatTyped.closeRoom: no transaction, an unconditional write) closes twice, two closing messages; 7.x and later
 * (closeRoom.ts: a transaction whose inquiry removal must delete one) refuse the second with `Error removing
 * inquiry`, one closing message. No engine here: the close over the seed documents.
 */
import { describe, expect, test } from '@jest/globals';

import { closeLivechatRoom } from './closeRoom';
import type { HostContext } from './context';
import { randomId } from './context';
import type { Doc } from './converters';
import { RcConverters } from './converters';
import { SEED, seedData } from './seed';

function context(flavor: '6.x' | '7.x'): HostContext {
	const db = seedData();
	db.messages = [];
	return {
		flavor,
		db,
		converters: new RcConverters(db, flavor),
		holds: new Map(),
		down: false,
		newId: () => randomId(),
	} as unknown as HostContext;
}

function gate(): { promise: Promise<void>; open: () => void } {
	let open: () => void = () => undefined;
	const promise = new Promise<void>((resolve) => {
		open = resolve;
	});
	return { promise, open };
}

describe.each(['6.x', '7.x'] as const)("Rocket.Chat's close, %s, two closes inside its window", (flavor) => {
	test(
		flavor === '6.x'
			? 'both write: closed twice, two closing messages'
			: 'the second is refused (Error removing inquiry): one closing message',
		async () => {
			const ctx = context(flavor);
			const stored = ctx.db.rooms.find((room) => room._id === SEED.roomId) as unknown as Doc;
			const visitor = ctx.db.visitors.find((candidate) => candidate._id === SEED.visitorId) as unknown as Doc;
			const window = gate();
			let inWindow = 0;
			ctx.holds.set('livechat.closeRoom:write', () => {
				inWindow += 1;
				return window.promise;
			});
			const closes = [0, 1].map(() =>
				closeLivechatRoom(ctx, { room: { ...stored }, comment: 'bye', visitor }).then(
					() => 'closed',
					(e: unknown) => (e as Error).message,
				),
			);
			await new Promise((resolve) => setImmediate(resolve));
			// both passed the checks on the open copy before either wrote
			expect(inWindow).toBe(2);
			window.open();
			const outcomes = await Promise.all(closes);
			const messages = (ctx.db.messages || []).filter((message) => message.rid === SEED.roomId && message.t === 'livechat-close');
			expect([outcomes, messages.length, 'open' in stored]).toEqual(
				flavor === '6.x' ? [['closed', 'closed'], 2, false] : [['closed', 'Error removing inquiry'], 1, false],
			);
		},
	);

	test('a room put back open (a new document, as a reopened room gets a new inquiry) closes again', async () => {
		const ctx = context(flavor);
		const index = ctx.db.rooms.findIndex((room) => room._id === SEED.roomId);
		const original = { ...ctx.db.rooms[index] };
		const visitor = ctx.db.visitors.find((candidate) => candidate._id === SEED.visitorId) as unknown as Doc;
		await closeLivechatRoom(ctx, { room: { ...original } as unknown as Doc, comment: '', visitor });
		ctx.db.rooms[index] = { ...original };
		await closeLivechatRoom(ctx, { room: { ...original } as unknown as Doc, comment: '', visitor });
		expect(ctx.db.rooms[index].open).toBeUndefined();
	});
});
