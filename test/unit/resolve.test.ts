import { describe, expect, it } from '@jest/globals';
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { DEFAULT_LIMITS } from '../../lib/coordinate';
import { KeyedLock } from '../../lib/keyedLock';
import type { VoipRoomQuery } from '../../lib/params';
import { pickOpenRoom, resolveRoom } from '../../lib/resolve';
import type { ResolveSource } from '../../lib/resolve';
import type { CreateRoomExtras } from '../../lib/roomSource';
import { ManualTiming } from './manualTiming';
import { MemoryClaimStore } from './memoryClaims';

/** A small in-memory ResolveSource over engine-shaped objects, counting calls. Fresh for each test. */
class MemorySource implements ResolveSource {
	public readonly calls: Array<string> = [];
	public readonly created: Array<CreateRoomExtras> = [];
	public readonly claims = new MemoryClaimStore(this.calls);
	constructor(
		public readonly rooms: Array<IRoom>,
		public readonly visitors: Array<IVisitor>,
		public readonly users: Array<IUser>,
	) {}
	async roomById(id: string): Promise<IRoom | undefined> {
		this.calls.push('roomById');
		return this.rooms.find((room) => room.id === id);
	}
	async visitorByToken(token: string): Promise<IVisitor | undefined> {
		this.calls.push('visitorByToken');
		return this.visitors.find((visitor) => visitor.token === token);
	}
	/** As Rocket.Chat's bridge: by the token alone (a room whose visitor is gone is listed, without `visitor`). */
	async openRoomsByToken(token: string): Promise<Array<ILivechatRoom>> {
		this.calls.push('openRoomsByToken');
		return this.rooms.filter((room): room is ILivechatRoom => {
			const live = room as ILivechatRoom & { orphanOf?: string };
			const roomToken = live.visitor ? live.visitor.token : live.orphanOf;
			return room.type === 'l' && roomToken === token && live.isOpen;
		});
	}
	async userById(id: string): Promise<IUser | undefined> {
		this.calls.push('userById');
		return this.users.find((user) => user.id === id);
	}
	async createRoom(visitor: IVisitor, agent: IUser, extras: CreateRoomExtras): Promise<ILivechatRoom> {
		this.calls.push('createRoom');
		this.created.push(extras);
		await new Promise((r) => setImmediate(r));
		const room = {
			id: `new-${this.rooms.length}`,
			type: 'l',
			visitor,
			servedBy: agent,
			isOpen: true,
			createdAt: new Date(),
			source: extras.source,
		} as unknown as ILivechatRoom;
		this.rooms.push(room);
		return room;
	}
}

const visitor = (id: string, token: string): IVisitor => ({ id, token, username: `guest-${id}`, name: id });
const agent = (id: string, roles: Array<string>): IUser => ({ id, username: id, roles }) as unknown as IUser;
const liveRoom = (id: string, v: IVisitor, extra: Partial<ILivechatRoom> = {}): IRoom =>
	({ id, type: 'l', visitor: v, isOpen: true, createdAt: new Date('2024-01-01T00:00:00Z'), ...extra }) as unknown as IRoom;

function world(): MemorySource {
	const mary = visitor('v1', 'tok-mary');
	const bob = visitor('v2', 'tok-bob');
	return new MemorySource(
		[
			liveRoom('r-mary-old', mary, { servedBy: agent('ag1', ['livechat-agent']), createdAt: new Date('2024-01-01T00:00:00Z') }),
			liveRoom('r-mary-new', mary, { servedBy: agent('ag2', ['livechat-agent']), createdAt: new Date('2024-02-01T00:00:00Z') }),
			liveRoom('r-mary-closed', mary, { isOpen: false, createdAt: new Date('2024-03-01T00:00:00Z') }),
			{ ...liveRoom('r-voip', mary), type: 'v' } as unknown as IRoom,
			{ id: 'r-channel', type: 'c' } as IRoom,
			// the newest open room listed for mary's token, but its visitor document is gone (no `visitor` after conversion)
			{
				...liveRoom('r-orphan', mary),
				visitor: undefined,
				orphanOf: 'tok-mary',
				createdAt: new Date('2024-04-01T00:00:00Z'),
			} as unknown as IRoom,
		],
		[mary, bob],
		[agent('ag1', ['livechat-agent']), agent('ag3', ['livechat-agent']), agent('not-agent', ['user'])],
	);
}

const app = { id: 'app-id', name: 'VoipRoom' };

/** A creation on one instance, uncontended: the claim is made, read back, and removed once the room is stored. */
const CREATION_CALLS = [
	'openRoomsByToken',
	'visitorByToken',
	'claims.add',
	'claims.list',
	'openRoomsByToken',
	'userById',
	'createRoom',
	'roomById',
	'claims.remove',
];
const options = (createRoom = true) => ({ createRoom, app, lock: new KeyedLock() });

async function resolve(source: MemorySource, query: VoipRoomQuery, create = true): Promise<[string, boolean | string]> {
	const result = await resolveRoom(source, query, options(create));
	return result.ok ? [result.value.room.id, result.value.newRoom] : ['error', result.error.kind];
}

describe('resolveRoom with rid', () => {
	it('returns the visitor room, open or closed, livechat or VoIP, in one read', async () => {
		for (const rid of ['r-mary-old', 'r-mary-closed', 'r-voip']) {
			const source = world();
			expect(await resolve(source, { token: 'tok-mary', rid })).toEqual([rid, false]);
			expect(source.calls).toEqual(['roomById']);
		}
	});

	it('lets rid decide when agentId is given too', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-mary', agentId: 'ag2', rid: 'r-mary-old' })).toEqual(['r-mary-old', false]);
		expect(source.calls).toEqual(['roomById']);
	});

	it.each<[string, string, string]>([
		['an unknown room, known token', 'nope', 'tok-mary'],
		['a room of another visitor', 'r-mary-old', 'tok-bob'],
		['a room that is not omnichannel', 'r-channel', 'tok-mary'],
	])('answers invalid-room for %s (one more read)', async (_case, rid, token) => {
		const source = world();
		expect(await resolve(source, { token, rid })).toEqual(['error', 'invalid-room']);
		expect(source.calls).toEqual(['roomById', 'visitorByToken']);
	});

	it('answers invalid-room for a room whose visitor was deleted, in one read', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-nobody', rid: 'r-orphan' })).toEqual(['error', 'invalid-room']);
		expect(source.calls).toEqual(['roomById']);
	});

	it('answers invalid-token when no visitor has the token', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-nobody', rid: 'r-mary-old' })).toEqual(['error', 'invalid-token']);
	});
});

describe('resolveRoom without rid', () => {
	it('prefers the open room served by the agent, in one read (the list by token; no visitor read)', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-mary', agentId: 'ag1' })).toEqual(['r-mary-old', false]);
		expect(source.calls).toEqual(['openRoomsByToken']);
	});

	it('never answers a listed room whose visitor was deleted', async () => {
		const source = world();
		source.rooms.splice(0, 2);
		// only r-orphan is open for tok-mary now: the visitor is read and, with creation on, a room is created
		expect(await resolve(source, { token: 'tok-mary', agentId: 'ag3' })).toEqual(['new-4', true]);
		expect(source.calls).toEqual(CREATION_CALLS);
	});

	it('else takes the most recently created open room', async () => {
		expect(await resolve(world(), { token: 'tok-mary', agentId: 'ag3' })).toEqual(['r-mary-new', false]);
	});

	it('answers invalid-token for an unknown visitor', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-nobody', agentId: 'ag1' })).toEqual(['error', 'invalid-token']);
		expect(source.calls).toEqual(['openRoomsByToken', 'visitorByToken']);
	});

	it('creates a room for the agent with the app as source and the direction, read back', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-bob', agentId: 'ag3', direction: 'inbound' })).toEqual(['new-6', true]);
		expect(source.created).toEqual([
			{ source: { type: 'app', id: 'app-id', alias: 'VoipRoom' }, customFields: { direction: 'inbound' } },
		]);
		expect(source.calls).toEqual(CREATION_CALLS);
	});

	it('creates without customFields when no direction is given', async () => {
		const source = world();
		await resolve(source, { token: 'tok-bob', agentId: 'ag3' });
		expect(source.created).toEqual([{ source: { type: 'app', id: 'app-id', alias: 'VoipRoom' } }]);
	});

	it.each([
		['an unknown agent', 'ghost'],
		['a user who is not a livechat agent', 'not-agent'],
	])('answers agent-not-found for %s', async (_case, agentId) => {
		const source = world();
		expect(await resolve(source, { token: 'tok-bob', agentId })).toEqual(['error', 'agent-not-found']);
		expect(source.created).toEqual([]);
	});

	it('answers invalid-room when creation is off', async () => {
		const source = world();
		expect(await resolve(source, { token: 'tok-bob', agentId: 'ag3' }, false)).toEqual(['error', 'invalid-room']);
		expect(source.calls).toEqual(['openRoomsByToken', 'visitorByToken']);
	});

	it('creates one room for 50 simultaneous requests of one visitor', async () => {
		const source = world();
		const opts = options();
		const results = await Promise.all(
			Array.from({ length: 50 }, () => resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, opts)),
		);
		const answers = results.map((r) => (r.ok ? [r.value.room.id, r.value.newRoom] : ['error', r.error.kind]));
		expect(source.created.length).toBe(1);
		expect(answers.filter(([, isNew]) => isNew === true)).toEqual([['new-6', true]]);
		expect(answers.filter(([id, isNew]) => id === 'new-6' && isNew === false).length).toBe(49);
	});

	it('still answers the created room, newRoom true, when reading it back fails', async () => {
		const source = world();
		const roomById = source.roomById.bind(source);
		source.roomById = async (id) => {
			if (id.startsWith('new-')) {
				throw new Error('read-back failed');
			}
			return roomById(id);
		};
		expect(await resolve(source, { token: 'tok-bob', agentId: 'ag3' })).toEqual(['new-6', true]);
	});

	it('reports a creator that returns nothing as an internal error', async () => {
		const source = world();
		source.createRoom = async () => undefined as unknown as ILivechatRoom;
		const result = await resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, options());
		expect(result.ok ? 'ok' : result.error.kind).toBe('internal');
	});
});

describe('resolveRoom across instances (claims in the shared store)', () => {
	const LEASE = DEFAULT_LIMITS.leaseMs;
	const WAIT = DEFAULT_LIMITS.waitMs;
	const withTiming = (timing: ManualTiming, lock = new KeyedLock({ holdMs: LEASE, timing })) => ({
		createRoom: true,
		app,
		lock,
		coordination: { timing },
	});
	const answer = (result: Awaited<ReturnType<typeof resolveRoom>>) =>
		result.ok ? [result.value.room.id, result.value.newRoom] : ['error', result.error];

	it("waits while another instance holds the visitor's claim, then answers the room it created", async () => {
		const timing = new ManualTiming();
		const source = world();
		// another instance claimed bob (visitor v2) a moment ago and is creating
		source.claims.records.set('other', { claimId: 'other', subject: 'v2', at: timing.now() - 100 });
		const pending = resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, withTiming(timing));
		await timing.advance(400);
		source.rooms.push(liveRoom('r-bob-elsewhere', visitor('v2', 'tok-bob')));
		source.claims.records.delete('other');
		expect(answer(await timing.settle(pending))).toEqual(['r-bob-elsewhere', false]);
		expect(source.created).toEqual([]);
		expect(source.claims.records.size).toBe(0);
	});

	it('answers busy (503) after the wait bound when the claim stays, with the seconds the claim has left', async () => {
		const timing = new ManualTiming();
		const source = world();
		source.claims.records.set('dead', { claimId: 'dead', subject: 'v2', at: timing.now() - 2500 });
		const result = await timing.settle(resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, withTiming(timing)));
		// lapses at -2500 + 15000; given up at +3000 (or a pause later): 9.5 s left, rounded up
		expect(answer(result)).toEqual(['error', { kind: 'busy', retryAfterSeconds: Math.ceil((LEASE - 2500 - WAIT) / 1000) }]);
		expect(source.created).toEqual([]);
		expect(Array.from(source.claims.records.keys())).toEqual(['dead']);
	});

	it('creates once the claim has lapsed, and removes it', async () => {
		const timing = new ManualTiming();
		const source = world();
		source.claims.records.set('dead', { claimId: 'dead', subject: 'v2', at: timing.now() - LEASE });
		const result = await timing.settle(resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, withTiming(timing)));
		expect(answer(result)).toEqual(['new-6', true]);
		expect(source.claims.records.size).toBe(0);
	});

	it('a request queued behind a stuck one of the same instance answers busy after the wait bound', async () => {
		const timing = new ManualTiming();
		const source = world();
		source.createRoom = () => new Promise<ILivechatRoom>(() => undefined);
		const options = withTiming(timing);
		void resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, options);
		await timing.advance(1000);
		const second = await timing.settle(resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, options));
		// the stuck one keeps the lock until +15000; the second gave up at +4000
		expect(answer(second)).toEqual(['error', { kind: 'busy', retryAfterSeconds: 11 }]);
	});

	it('a store failing when the claim is made rejects (500) and leaves no claim', async () => {
		const source = world();
		let fail = true;
		source.claims.gate = async (op) => (op === 'claims.add' && fail ? 'fail-after' : 'ok');
		await expect(resolveRoom(source, { token: 'tok-bob', agentId: 'ag3' }, options())).rejects.toThrow(
			'store failure after claims.add',
		);
		expect([source.created.length, source.claims.records.size]).toEqual([0, 0]);
		fail = false;
		expect(await resolve(source, { token: 'tok-bob', agentId: 'ag3' })).toEqual(['new-6', true]);
	});
});

describe('pickOpenRoom', () => {
	it('skips rooms marked closed and handles an empty list', () => {
		const mary = visitor('v1', 't');
		const closed = liveRoom('c', mary, { isOpen: false }) as ILivechatRoom;
		expect(pickOpenRoom([closed], undefined)).toBeUndefined();
		expect(pickOpenRoom([], 'x')).toBeUndefined();
	});
});
