/**
 * Rocket.Chat's livechat close, as an app reaches it through the livechat bridge:
 *
 * - bridge (apps/meteor/app/apps/server/bridges/livechat.ts, closeRoom): `user` = the closer converted to a user
 *   document when the app gave one; `visitor` = the room's visitor (convertAppVisitor(room.visitor)); `room` = the
 *   app's room object converted back (convertAppRoom: its `isOpen`, not the stored `open`); then the close, and
 *   `return true` whatever the close did.
 * - the close: 7.x/8.x apps/meteor/app/livechat/server/lib/closeRoom.ts (closeRoom → doCloseRoom → afterRoomClosed);
 *   6.x LivechatTyped.closeRoom (apps/meteor/app/livechat/server/lib/LivechatTyped.ts, before transactions).
 *   A room that is not an open livechat room (`isOmnichannelRoom` is `t === 'l'`: VoIP rooms too): 7.x throws
 *   `error-room-closed`, 6.x returns without closing (and the bridge still answers true).
 *   A `user` closes before a `visitor` (`closer: 'user'`, else `'visitor'`); `closedBy` is `{ _id, username }` of
 *   that closer; `chatDuration` is seconds since the room's `ts`; `serviceTimeDuration` seconds since `servedBy.ts`,
 *   which the converted room never has (so it is never set through the bridge). Chat tags: resolveChatTags (the
 *   room's tags with the department's closing tags; a department that requires tags but has none configured throws
 *   `error-tags-must-be-assigned-before-closing-chat`).
 * - the store: LivechatRooms.closeRoomById (packages/models/src/models/LivechatRooms.ts): on `{ _id, t: 'l' }`
 *   `$set` closedAt, `metrics.chatDuration`, `metrics.serviceTimeDuration`, `v.status: 'offline'`, closer, closedBy,
 *   tags (the defined ones), `$unset: { open: 1 }`; BaseRaw sets `_updatedAt`. 7.x throws `Error closing room` when
 *   nothing was modified; 6.x then fails to read the room back (`Error: Room not found`).
 * - the closing message: a `livechat-close` system message in the room with the comment as `msg`, from the closer
 *   (`u`), `groupable: false`, `transcriptRequested`, and on 7.x the visitor's `token`.
 *
 * Not modelled: inquiries and subscriptions (not in this store), the `promptTranscript` command message and the
 * transcript, the setting that requires a comment (off by default), the `livechat.closeRoom` callbacks and the
 * apps' IPostLivechatRoomClosed event.
 */
import type { HostContext } from './context';
import type { Doc } from './converters';
import { isPlainObject } from './converters';
import type { RcMessage, RcRoom } from './types';

export interface CloseParams {
	/** the room document the bridge made of the app's room object */
	room: Doc | undefined;
	comment: string;
	/** the closing user (when the app gave a closer) */
	user?: Doc;
	/** the room's visitor */
	visitor?: Doc;
}

function unique(...lists: Array<unknown>): string[] {
	const out: string[] = [];
	for (const list of lists) {
		if (Array.isArray(list)) {
			for (const item of list) {
				if (!out.includes(item as string)) {
					out.push(item as string);
				}
			}
		}
	}
	return out;
}

/** resolveChatTags without options (the bridge passes none): the tags the closed room keeps. */
function resolveChatTags(ctx: HostContext, room: Doc): string[] {
	const roomTags = unique(room.tags);
	const department = typeof room.departmentId === 'string' ? ctx.converters.findDepartmentById(room.departmentId) : undefined;
	if (!department) {
		return roomTags;
	}
	const closingTags = department.chatClosingTags;
	if (department.requestTagBeforeClosingChat && !(Array.isArray(closingTags) && closingTags.length > 0)) {
		throw new Error('error-tags-must-be-assigned-before-closing-chat');
	}
	return unique(roomTags, closingTags);
}

const seconds = (from: unknown, to: Date): number => (to.getTime() - new Date(from as string).getTime()) / 1000;

/** Closes a livechat room as Rocket.Chat does (see above); throws what Rocket.Chat throws. */
export function closeLivechatRoom(ctx: HostContext, params: CloseParams): void {
	const { room, comment } = params;
	const sevenX = ctx.flavor === '7.x';
	if (!room || room.t !== 'l' || !room.open) {
		if (sevenX) {
			throw new Error('error-room-closed');
		}
		return;
	}
	const tags = resolveChatTags(ctx, room);
	const now = new Date();
	const servedBy = isPlainObject(room.servedBy) ? room.servedBy : undefined;
	const serviceTimeDuration = servedBy ? seconds(servedBy.ts, now) : undefined;
	const chatDuration = seconds(room.ts, now);
	let closer: 'user' | 'visitor';
	let closedBy: { _id: string; username?: string };
	if (params.user !== undefined) {
		closer = 'user';
		closedBy = { _id: String(params.user._id || ''), username: params.user.username as string | undefined };
	} else if (params.visitor !== undefined) {
		closer = 'visitor';
		closedBy = { _id: params.visitor._id as string, username: params.visitor.username as string | undefined };
	} else {
		throw new Error('Error: Please provide details of the user or visitor who closed the room');
	}

	const stored = ctx.db.rooms.find((candidate) => candidate._id === room._id && candidate.t === 'l');
	if (!stored) {
		throw new Error(sevenX ? 'Error closing room' : 'Error: Room not found');
	}
	applyClose(stored, {
		closedAt: now,
		chatDuration,
		// `...(serviceTimeDuration && { serviceTimeDuration })`: NaN (no `servedBy.ts`) and 0 are dropped
		serviceTimeDuration: serviceTimeDuration ? serviceTimeDuration : undefined,
		closer,
		closedBy,
		tags,
	});

	const message: RcMessage = {
		_id: ctx.newId(),
		t: 'livechat-close',
		rid: stored._id,
		ts: now,
		msg: comment,
		u: { _id: closedBy._id, username: closedBy.username },
		groupable: false,
		transcriptRequested: !!room.transcriptRequest,
		...(sevenX && closer === 'visitor' && params.visitor ? { token: params.visitor.token } : {}),
		_updatedAt: now,
	};
	if (!ctx.db.messages) {
		ctx.db.messages = [];
	}
	ctx.db.messages.push(message);
}

interface CloseData {
	closedAt: Date;
	chatDuration: number;
	serviceTimeDuration?: number;
	closer: 'user' | 'visitor';
	closedBy: { _id: string; username?: string };
	tags: string[];
}

/** LivechatRooms.closeRoomById on the stored document (undefined values are not stored). */
function applyClose(stored: RcRoom, data: CloseData): void {
	stored.closedAt = data.closedAt;
	const metrics: Doc = isPlainObject(stored.metrics) ? { ...stored.metrics } : {};
	metrics.chatDuration = data.chatDuration;
	if (data.serviceTimeDuration !== undefined) {
		metrics.serviceTimeDuration = data.serviceTimeDuration;
	}
	stored.metrics = metrics;
	stored.v = { ...(stored.v || ({} as NonNullable<RcRoom['v']>)), status: 'offline' };
	stored.closer = data.closer;
	stored.closedBy = data.closedBy.username === undefined ? { _id: data.closedBy._id } : data.closedBy;
	if (data.tags.length > 0) {
		stored.tags = data.tags;
	}
	delete stored.open;
	stored._updatedAt = data.closedAt;
}
