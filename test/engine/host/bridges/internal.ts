/**
 * Engine-internal lookups.
 */
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { IInternalBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { notImplemented } from '../context';

export function createInternalBridge(ctx: HostContext): IInternalBridge {
	const usernames = (roomId: string): string[] => {
		const room = ctx.converters.findRoomById(roomId);
		return room && Array.isArray(room.usernames) ? (room.usernames as string[]) : [];
	};
	return {
		doGetUsernamesOfRoomById: async (roomId: string): Promise<Array<string>> => usernames(roomId),
		doGetUsernamesOfRoomByIdSync: (roomId: string): Array<string> => usernames(roomId),
		doGetWorkspacePublicKey: async (): Promise<ISetting> => {
			throw notImplemented('internal.getWorkspacePublicKey');
		},
	};
}
