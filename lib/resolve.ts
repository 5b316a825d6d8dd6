import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';

import type { CoordinationLimits } from './coordinate';
import { coordinateCreation, DEFAULT_LIMITS, retryAfterSeconds } from './coordinate';
import type { Result } from './errors';
import { fail, ok } from './errors';
import type { KeyedLock } from './keyedLock';
import type { VoipRoomQuery } from './params';
import type { CreateRoomExtras, RoomSource } from './roomSource';
import type { Timing } from './timing';
import { realTiming } from './timing';

/** What the resolution reads and creates (all of RoomSource but the close and its claims). */
export type ResolveSource = Omit<RoomSource, 'closeRoom' | 'closeClaims'>;

export interface Resolved {
	readonly room: ILivechatRoom;
	readonly newRoom: boolean;
}

export interface ResolveOptions {
	readonly createRoom: boolean;
	/** The app, for the created room's `source`. */
	readonly app: { readonly id: string; readonly name: string };
	/** Serializes room creation per visitor within this instance. */
	readonly lock: KeyedLock;
	/** Creation across instances (lib/coordinate.ts); defaults: DEFAULT_LIMITS, the real clock. */
	readonly coordination?: { readonly limits?: CoordinationLimits; readonly timing?: Timing };
}

const OMNICHANNEL_TYPES = ['l', 'v'];
const AGENT_ROLE = 'livechat-agent';

export function isOmnichannelRoom(room: IRoom): room is ILivechatRoom {
	return OMNICHANNEL_TYPES.indexOf(String(room.type)) !== -1;
}

/** The room's visitor, when the room is an omnichannel room of the visitor with this token. */
function visitorMatches(room: IRoom | undefined, token: string): room is ILivechatRoom {
	return !!room && isOmnichannelRoom(room) && !!room.visitor && room.visitor.token === token;
}

function createdAt(room: ILivechatRoom): number {
	const ts = room.createdAt;
	return ts ? new Date(ts).getTime() || 0 : 0;
}

/** Among a visitor's open rooms: the one served by the agent, else the most recently created. */
export function pickOpenRoom(rooms: ReadonlyArray<ILivechatRoom>, agentId: string | undefined): ILivechatRoom | undefined {
	const open = rooms.filter((room) => room && room.isOpen !== false);
	const served = agentId === undefined ? undefined : open.find((room) => !!room.servedBy && room.servedBy.id === agentId);
	if (served) {
		return served;
	}
	return open.reduce<ILivechatRoom | undefined>((best, room) => (!best || createdAt(room) > createdAt(best) ? room : best), undefined);
}

/** Step 4 of the endpoint: CONTRACT §1.3. Readers that throw propagate (the endpoint answers 500). */
export async function resolveRoom(source: ResolveSource, query: VoipRoomQuery, options: ResolveOptions): Promise<Result<Resolved>> {
	if (query.rid !== undefined) {
		return resolveByRoomId(source, query.rid, query.token);
	}
	return resolveByVisitor(source, query, options);
}

async function resolveByRoomId(source: ResolveSource, rid: string, token: string): Promise<Result<Resolved>> {
	const room = await roomOfVisitor(source, rid, token);
	return room.ok ? ok({ room: room.value, newRoom: false }) : room;
}

/**
 * The omnichannel room `rid` of the visitor with `token`, in one read (the room by id); the visitor is read only
 * when that fails, to tell `invalid-token` from `invalid-room` (CONTRACT §1.3 with `rid`, and §5).
 */
export async function roomOfVisitor(
	source: Pick<RoomSource, 'roomById' | 'visitorByToken'>,
	rid: string,
	token: string,
): Promise<Result<ILivechatRoom>> {
	const room = await source.roomById(rid);
	if (visitorMatches(room, token)) {
		return ok(room);
	}
	if (room && isOmnichannelRoom(room) && !room.visitor) {
		// The room's visitor was deleted: whatever the token, this room is no answer.
		return fail({ kind: 'invalid-room' });
	}
	const visitor = await source.visitorByToken(token);
	return fail({ kind: visitor ? 'invalid-room' : 'invalid-token' });
}

async function resolveByVisitor(source: ResolveSource, query: VoipRoomQuery, options: ResolveOptions): Promise<Result<Resolved>> {
	// One read when the visitor has an open room: the rooms are listed by token; the visitor is read only when
	// none is usable (to tell invalid-token from invalid-room, or to create).
	const found = pickOpenRoom(await openRoomsWithVisitor(source, query.token), query.agentId);
	if (found) {
		return ok({ room: found, newRoom: false });
	}
	const visitor = await source.visitorByToken(query.token);
	if (!visitor) {
		return fail({ kind: 'invalid-token' });
	}
	if (!options.createRoom || query.agentId === undefined) {
		return fail({ kind: 'invalid-room' });
	}
	const agentId = query.agentId;
	const timing = (options.coordination && options.coordination.timing) || realTiming;
	const limits = (options.coordination && options.coordination.limits) || DEFAULT_LIMITS;
	const deadline = timing.now() + limits.waitMs;
	const findOpen = async () => pickOpenRoom(await openRoomsWithVisitor(source, visitor.token), agentId);
	// One creation per visitor at a time in this instance (whoever waited looks again first), and across
	// instances through the claims in the app's persistence (docs/cluster.md).
	return options.lock.run(
		visitor.token,
		async ({ waited }) => {
			const again = waited ? await findOpen() : undefined;
			if (again) {
				return ok({ room: again, newRoom: false });
			}
			const outcome = await coordinateCreation({
				claims: source.claims,
				// the id, not the token: the token is the visitor's credential and stays out of the store
				visitorId: visitor.id || visitor.token,
				findOpen,
				create: () => createRoom(source, visitor, agentId, query, options),
				deadline,
				limits,
				timing,
			});
			switch (outcome.kind) {
				case 'found':
					return ok({ room: outcome.room, newRoom: false });
				case 'busy':
					return busy(outcome.retryAfterMs);
				case 'created':
					return outcome.value;
			}
		},
		{ waitMs: deadline - timing.now(), onTimeout: busy },
	);
}

/** 503 with Retry-After in whole seconds, at least one. */
function busy(retryAfterMs: number): Result<Resolved> {
	return fail({ kind: 'busy', retryAfterSeconds: retryAfterSeconds(retryAfterMs) });
}

/** The open rooms listed for a token, less those whose visitor is gone (no `visitor` after conversion): no answer. */
async function openRoomsWithVisitor(source: ResolveSource, token: string): Promise<Array<ILivechatRoom>> {
	return (await source.openRoomsByToken(token)).filter((room) => !!room && !!room.visitor);
}

async function createRoom(
	source: ResolveSource,
	visitor: IVisitor,
	agentId: string,
	query: VoipRoomQuery,
	options: ResolveOptions,
): Promise<Result<Resolved>> {
	const agent = await source.userById(agentId);
	if (!agent || !Array.isArray(agent.roles) || agent.roles.indexOf(AGENT_ROLE) === -1) {
		return fail({ kind: 'agent-not-found' });
	}
	const extras: CreateRoomExtras = {
		source: { type: 'app', id: options.app.id, alias: options.app.name },
		...(query.direction !== undefined && { customFields: { direction: query.direction } }),
	};
	const created = await source.createRoom(visitor, agent, extras);
	if (!created || !created.id) {
		return fail({ kind: 'internal', cause: new Error('the livechat creator returned no room (is livechat-room.write granted?)') });
	}
	// The room exists from here on: whatever the read-back gives, the caller learns it is new.
	let stored: IRoom | undefined;
	try {
		stored = await source.roomById(created.id);
	} catch {
		stored = undefined;
	}
	return ok({ room: stored && isOmnichannelRoom(stored) ? stored : created, newRoom: true });
}
