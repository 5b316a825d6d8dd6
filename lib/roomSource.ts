import type { IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { ClaimStore } from './claims';
import { CLOSE_CLAIMS, CREATE_CLAIMS, engineClaimStore } from './claims';

export interface CreateRoomExtras {
	source: { type: 'app'; id: string; alias: string };
	/** Stored by Rocket.Chat 7.x and later (engine 1.46+); 6.x ignores it. */
	customFields?: Record<string, string>;
}

/** What the routes read, create and close: each method is one engine call (one round trip in the Deno runtime). */
export interface RoomSource {
	roomById(id: string): Promise<IRoom | undefined>;
	visitorByToken(token: string): Promise<IVisitor | undefined>;
	/** The open livechat rooms of the visitor with this token (no visitor read: see engineRoomSource). */
	openRoomsByToken(token: string): Promise<Array<ILivechatRoom>>;
	userById(id: string): Promise<IUser | undefined>;
	createRoom(visitor: IVisitor, agent: IUser, extras: CreateRoomExtras): Promise<ILivechatRoom | undefined>;
	/**
	 * Closes a livechat room with a comment; true when the server closed it. No closer is passed: Rocket.Chat then
	 * closes it as the room's visitor (`closer: 'visitor'`), as the core route did. Given a closer, it would close as
	 * that *user* (apps/meteor/app/apps/server/bridges/livechat.ts closeRoom: `...(user && { user })`, and
	 * closeRoom.ts takes a `user` before a `visitor`). Undefined is what the engine answers for a denied permission.
	 */
	closeRoom(room: ILivechatRoom, comment: string): Promise<boolean | undefined>;
	/** The creation claims every instance of the app shares, per visitor id (lib/claims.ts). */
	readonly claims: ClaimStore;
	/** The close claims every instance of the app shares, per room id. */
	readonly closeClaims: ClaimStore;
}

/** The RoomSource of a request, over the engine's accessors. */
export function engineRoomSource(read: IRead, modify: IModify, persistence: IPersistence): RoomSource {
	return {
		claims: engineClaimStore(read.getPersistenceReader(), persistence, CREATE_CLAIMS),
		closeClaims: engineClaimStore(read.getPersistenceReader(), persistence, CLOSE_CLAIMS),
		roomById: (id) => read.getRoomReader().getById(id),
		visitorByToken: (token) => read.getLivechatReader().getLivechatVisitorByToken(token),
		openRoomsByToken: async (token) => {
			// Rocket.Chat's livechat bridge reads nothing of the visitor but its token to list the open rooms
			// (apps/meteor/app/apps/server/bridges/livechat.ts, findRooms: LivechatRooms.findOpenByVisitorToken(
			// visitor.token[, departmentId]), unchanged 2019–2025), so a visitor holding only the token lists the same
			// rooms as the stored visitor, and the lookup needs no visitor read when a room is open.
			const byToken = { token } as IVisitor;
			const rooms = await read.getLivechatReader().getLivechatRooms(byToken);
			if (!Array.isArray(rooms)) {
				// Not "no open room": taking nothing for an empty list would create a second room for the visitor.
				throw new Error('the livechat reader returned no room list (is livechat-room.read granted?)');
			}
			return rooms;
		},
		userById: (id) => read.getUserReader().getById(id),
		createRoom: (visitor, agent, extras) => modify.getCreator().getLivechatCreator().createRoom(visitor, agent, extras),
		closeRoom: (room, comment) => modify.getUpdater().getLivechatUpdater().closeRoom(room, comment),
	};
}
