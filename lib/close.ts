import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';

import type { CloseRequest } from './closeBody';
import type { Result } from './errors';
import { fail, ok } from './errors';
import type { KeyedLock } from './keyedLock';
import { roomOfVisitor } from './resolve';
import type { RoomSource } from './roomSource';

/**
 * The action of `voip/room.close` (CONTRACT §5): the visitor's room by id (one read), still open, closed through
 * the engine's livechat updater with the comment. One close per room at a time on this instance: whoever waited
 * reads the room again and finds it closed (`room-closed`, never a second close). Readers and the updater that
 * throw propagate (the route answers 500).
 */
export async function closeVisitorRoom(
	source: Pick<RoomSource, 'roomById' | 'visitorByToken' | 'closeRoom'>,
	request: CloseRequest,
	lock: KeyedLock,
): Promise<Result<string>> {
	return lock.run(request.rid, async () => {
		const found = await roomOfVisitor(source, request.rid, request.token);
		if (!found.ok) {
			return found;
		}
		const room = found.value;
		// Rocket.Chat closes a room by unsetting `open`: anything but true is closed.
		if (room.isOpen !== true) {
			return fail({ kind: 'room-closed' });
		}
		if (room.type !== RoomType.LIVE_CHAT) {
			// A VoIP room (`v`): Rocket.Chat's livechat close, the only one an app can reach, closes livechat rooms only
			// (closeRoom.ts: isOmnichannelRoom is `t === 'l'`; LivechatRooms.closeRoomById matches `t: 'l'`).
			return fail({ kind: 'room-not-closable' });
		}
		const closed: unknown = await source.closeRoom(room, request.options.comment !== undefined ? request.options.comment : '');
		if (closed !== true) {
			// nothing: what the engine answers for a denied permission (null through the Deno runtime's msgpack)
			const answer = closed === undefined || closed === null ? 'nothing (is livechat-room.write granted?)' : String(closed);
			return fail({ kind: 'internal', cause: new Error(`the livechat updater did not close the room: it answered ${answer}`) });
		}
		return ok(request.rid);
	});
}
