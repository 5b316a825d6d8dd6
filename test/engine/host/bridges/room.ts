/**
 * Rooms, as Rocket.Chat's AppRoomBridge reads them: through the room converter.
 * Reads only; room writes are not what the app under test does.
 */
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { RoomBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';

export function createRoomBridge(ctx: HostContext): RoomBridge {
	const Base = ctx.engine.bridges.RoomBridge as unknown as new () => RoomBridge;

	abstract class HostRoomBridge extends Base {
		protected async getById(roomId: string): Promise<IRoom> {
			return (await ctx.converters.convertRoomById(roomId)) as unknown as IRoom;
		}

		protected async getByName(roomName: string): Promise<IRoom> {
			const room = ctx.db.rooms.find((r) => r.name === roomName);
			return (await ctx.converters.convertRoom(room)) as unknown as IRoom;
		}

		protected async getCreatorById(roomId: string): Promise<IUser | undefined> {
			const room = ctx.converters.findRoomById(roomId);
			if (!room || !room.u || !room.u._id) {
				return undefined;
			}
			return (await ctx.converters.convertUserById(room.u._id)) as unknown as IUser | undefined;
		}

		protected async getCreatorByName(roomName: string): Promise<IUser | undefined> {
			const room = ctx.db.rooms.find((r) => r.name === roomName);
			if (!room || !room.u || !room.u._id) {
				return undefined;
			}
			return (await ctx.converters.convertUserById(room.u._id)) as unknown as IUser | undefined;
		}
	}

	return instrumentBridge(instantiate(HostRoomBridge), 'room', ctx);
}
