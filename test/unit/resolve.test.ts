import { describe, expect, it } from '@jest/globals';
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { KeyedLock } from '../../lib/keyedLock';
import type { VoipRoomQuery } from '../../lib/params';
import { pickOpenRoom, resolveRoom } from '../../lib/resolve';
import type { ResolveSource } from '../../lib/resolve';
import type { CreateRoomExtras } from '../../lib/roomSource';

/** A small in-memory ResolveSource over engine-shaped objects, counting calls. Fresh for each test. */
class MemorySource implements ResolveSource {
	public readonly calls: Array<string> = [];
	public readonly created: Array<CreateRoomExtras> = [];
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
		expect(source.calls).toEqual(['openRoomsByToken', 'visitorByToken', 'openRoomsByToken', 'userById', 'createRoom', 'roomById']);
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
		expect(source.calls).toEqual(['openRoomsByToken', 'visitorByToken', 'openRoomsByToken', 'userById', 'createRoom', 'roomById']);
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

describe('pickOpenRoom', () => {
	it('skips rooms marked closed and handles an empty list', () => {
		const mary = visitor('v1', 't');
		const closed = liveRoom('c', mary, { isOpen: false }) as ILivechatRoom;
		expect(pickOpenRoom([closed], undefined)).toBeUndefined();
		expect(pickOpenRoom([], 'x')).toBeUndefined();
	});
});
