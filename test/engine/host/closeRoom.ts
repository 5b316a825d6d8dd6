/**
 * Rocket.Chat's livechat close, as an app reaches it through the livechat bridge:
 *
 * - bridge (apps/meteor/app/apps/server/bridges/livechat.ts, closeRoom): `user` = the closer converted to a user
 *   document when the app gave one; `visitor` = the room's visitor (convertAppVisitor(room.visitor)); `room` = the
 *   app's room object converted back (convertAppRoom: its `isOpen`, not the stored `open`); then the close, and
 *   `return true` whatever the close did.
 * - the close: 7.x/8.x apps/meteor/app/livechat/server/lib/closeRoom.ts (closeRoom → doCloseRoom in a MongoDB
 *   transaction → afterRoomClosed); 6.x LivechatTyped.closeRoom (apps/meteor/app/livechat/server/lib/LivechatTyped.ts,
 *   no transaction). Both check `room.open` on the room they were handed, which through the bridge is the app's copy
 *   as the app last read it, not the stored room: a second close of a room another request closed meanwhile passes
 *   that check whenever the app read the room before the first close's write.
 *   A room that is not an open livechat room (`isOmnichannelRoom` is `t === 'l'`: VoIP rooms too): 7.x throws
 *   `error-room-closed`, 6.x returns without closing (and the bridge still answers true).
 *   A `user` closes before a `visitor` (`closer: 'user'`, else `'visitor'`); `closedBy` is `{ _id, username }` of
 *   that closer; `chatDuration` is seconds since the room's `ts`; `serviceTimeDuration` seconds since `servedBy.ts`,
 *   which the converted room never has (so it is never set through the bridge). Chat tags: resolveChatTags (the
 *   room's tags with the department's closing tags, read with `await LivechatDepartment.findOneById`; a department
 *   that requires tags but has none configured throws `error-tags-must-be-assigned-before-closing-chat`).
 * - the window: between those checks and the write the close awaits (the department read, the session's start):
 *   the stand-in pauses there (`serverPause`, key `livechat.closeRoom:write`, or the `'*'` hold), so that delays
 *   injected in a test open the window Rocket.Chat has.
 * - the write, 7.x/8.x (one transaction): `LivechatInquiry.removeByRoomId` must delete exactly one inquiry, else
 *   `Error removing inquiry`; then LivechatRooms.closeRoomById (packages/models/src/models/LivechatRooms.ts): an
 *   `updateOne` on `{ _id, t: 'l' }`, NOT conditional on `open`, `$set` closedAt, `metrics.chatDuration`,
 *   `metrics.serviceTimeDuration`, `v.status: 'offline'`, closer, closedBy, tags (the defined ones), `$unset: { open:
 *   1 }`; BaseRaw sets `_updatedAt`; `Error closing room` when nothing was modified. So on 7.x a second close of a
 *   room is stopped by the inquiry (gone with the first close): the second request fails with `Error removing
 *   inquiry` (two overlapping transactions conflict on the inquiry; the retried one then finds it gone, or after
 *   three conflicts throws `error-room-cannot-be-closed-try-again`), and nothing is written twice.
 *   The write, 6.x: `Promise.all([closeRoomById, LivechatInquiry.removeByRoomId, Subscriptions.removeByRoomId])`, no
 *   check of any count: a second close writes again (a new closedAt, closer, closedBy), then reads the room back
 *   (`Error: Room not found` only when it is gone) and sends a second closing message (and runs the
 *   `livechat.closeRoom` callbacks, the webhooks, a second time).
 * - the closing message: a `livechat-close` system message in the room with the comment as `msg`, from the closer
 *   (`u`), `groupable: false`, `transcriptRequested`, and on 7.x the visitor's `token`.
 *
 * Inquiries: this store keeps no inquiry documents. A livechat room's inquiry exists from the room's creation
 * (QueueManager; taking it only sets its status) until a close removes it, so the stand-in records only the
 * removals, per room document: a room document put back in the store (as tests reopen rooms) has its inquiry again.
 *
 * Not modelled: subscriptions (not in this store), the `promptTranscript` command message and the transcript, the
 * setting that requires a comment (off by default), the `livechat.closeRoom` callbacks and the apps'
 * IPostLivechatRoomClosed event, the transaction's retries (their outcome is modelled: the write runs at one instant).
 */
import type { HostContext } from './context';
import { serverPause } from './context';
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

/** The room documents whose inquiry a close removed (see above); shared by every instance of a cluster in this process. */
const inquiryRemoved = new WeakSet<RcRoom>();

/** Closes a livechat room as Rocket.Chat does (see above); throws what Rocket.Chat throws. */
export async function closeLivechatRoom(ctx: HostContext, params: CloseParams): Promise<void> {
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

	// what the close awaits before it writes: the window in which another close can pass the same checks
	await serverPause(ctx, 'livechat.closeRoom:write', [room._id]);

	const stored = ctx.db.rooms.find((candidate) => candidate._id === room._id && candidate.t === 'l');
	if (sevenX && (!stored || inquiryRemoved.has(stored))) {
		// the transaction's `removeByRoomId` deleted no inquiry (a room that is gone has none either)
		throw new Error('Error removing inquiry');
	}
	if (!stored) {
		throw new Error('Error: Room not found');
	}
	inquiryRemoved.add(stored);
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
