import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';

import type { CloseRequest } from './closeBody';
import type { CoordinationLimits } from './coordinate';
import { coordinate, DEFAULT_LIMITS, retryAfterSeconds } from './coordinate';
import type { Result } from './errors';
import { fail, ok } from './errors';
import type { KeyedLock } from './keyedLock';
import { isOmnichannelRoom, roomOfVisitor } from './resolve';
import type { RoomSource } from './roomSource';
import type { Timing } from './timing';
import { realTiming } from './timing';

export type CloseSource = Pick<RoomSource, 'roomById' | 'visitorByToken' | 'closeRoom' | 'closeClaims'>;

export interface CloseOptions {
	/** Serializes closes per room within this instance. */
	readonly lock: Pick<KeyedLock, 'run'>;
	/** The close across instances (lib/coordinate.ts); defaults: DEFAULT_LIMITS, the real clock. */
	readonly coordination?: { readonly limits?: CoordinationLimits; readonly timing?: Timing };
}

/** What Rocket.Chat 7.x and later throw when the room handed to the close is not open (closeRoom.ts, doCloseRoom). */
const ALREADY_CLOSED = 'error-room-closed';

/** The message of what a call threw, read without `instanceof` (on 1.42 errors come from another vm2 context). */
function messageOf(cause: unknown): string {
	if (typeof cause === 'object' && cause !== null && typeof (cause as { message?: unknown }).message === 'string') {
		return (cause as { message: string }).message;
	}
	return typeof cause === 'string' ? cause : '';
}

/**
 * The action of `voip/room.close` (CONTRACT §5): the visitor's room by id (one read), still open, closed through
 * the engine's livechat updater with the comment, once across every instance of the app: one close per room at a
 * time in this instance (whoever waited reads the room again), and across instances through the room's close
 * claims in the app's persistence (docs/cluster.md). The request that wins reads the room again
 * under its claim and closes it only if it is still open; the others read it closed (`room-closed`) or answer
 * `close-busy` when the bounded wait runs out. The updater reporting the room already closed, or failing while
 * the room turns out closed (a close outside the app won), is `room-closed`; readers and the updater failing
 * otherwise propagate (the route answers 500).
 */
export async function closeVisitorRoom(source: CloseSource, request: CloseRequest, options: CloseOptions): Promise<Result<string>> {
	const timing = (options.coordination && options.coordination.timing) || realTiming;
	const limits = (options.coordination && options.coordination.limits) || DEFAULT_LIMITS;
	const deadline = timing.now() + limits.waitMs;
	const comment = request.options.comment !== undefined ? request.options.comment : '';
	return options.lock.run(
		request.rid,
		async () => {
			const found = await roomOfVisitor(source, request.rid, request.token);
			if (!found.ok) {
				return found;
			}
			const closable = closableRoom(found.value);
			if (!closable.ok) {
				return closable;
			}
			let current: ILivechatRoom = closable.value;
			const outcome = await coordinate<Result<string>, Result<string>>({
				claims: source.closeClaims,
				subject: request.rid,
				// under the claim, and after every lost round: the room as it is now (another request may have closed it)
				settled: async () => {
					const again = await source.roomById(request.rid);
					if (!again || !isOmnichannelRoom(again)) {
						return fail({ kind: 'invalid-room' });
					}
					const still = closableRoom(again);
					if (!still.ok) {
						return still;
					}
					current = still.value;
					return undefined;
				},
				act: () => closeOnce(source, current, comment),
				deadline,
				limits,
				timing,
			});
			switch (outcome.kind) {
				case 'settled':
				case 'acted':
					return outcome.value;
				case 'busy':
					return busy(outcome.retryAfterMs);
			}
		},
		{ waitMs: deadline - timing.now(), onTimeout: busy },
	);
}

function busy(retryAfterMs: number): Result<string> {
	return fail({ kind: 'close-busy', retryAfterSeconds: retryAfterSeconds(retryAfterMs) });
}

/** An open livechat room, else why it cannot be closed. */
function closableRoom(room: ILivechatRoom): Result<ILivechatRoom> {
	// Rocket.Chat closes a room by unsetting `open`: anything but true is closed.
	if (room.isOpen !== true) {
		return fail({ kind: 'room-closed' });
	}
	if (room.type !== RoomType.LIVE_CHAT) {
		// A VoIP room (`v`): Rocket.Chat's livechat close, the only one an app can reach, closes livechat rooms only
		// (closeRoom.ts: isOmnichannelRoom is `t === 'l'`; LivechatRooms.closeRoomById matches `t: 'l'`).
		return fail({ kind: 'room-not-closable' });
	}
	return ok(room);
}

/** The one call to Rocket.Chat's close, with what it answers made a result. */
async function closeOnce(source: CloseSource, room: ILivechatRoom, comment: string): Promise<Result<string>> {
	let closed: unknown;
	try {
		closed = await source.closeRoom(room, comment);
	} catch (cause) {
		// 7.x and later: the room handed over was not open. On Deno the error arrives with the server's message inside
		// the runtime's; on 1.42 as the server's Error.
		if (messageOf(cause).indexOf(ALREADY_CLOSED) !== -1) {
			return fail({ kind: 'room-closed' });
		}
		// 7.x and later also refuse a close that lost the race to one outside the app (an agent's, another
		// integration's) inside their transaction: its inquiry is gone ("Error removing inquiry", or after conflicts
		// "error-room-cannot-be-closed-try-again"), nothing written. The room as it is now tells a lost race (closed)
		// from a failure (still open: the cause propagates, the route answers 500 and logs it).
		const now = await source.roomById(room.id).catch(() => undefined);
		if (now && isOmnichannelRoom(now) && now.isOpen !== true) {
			return fail({ kind: 'room-closed' });
		}
		throw cause;
	}
	if (closed !== true) {
		// nothing: what the engine answers for a denied permission (null through the Deno runtime's msgpack)
		const answer = closed === undefined || closed === null ? 'nothing (is livechat-room.write granted?)' : String(closed);
		return fail({ kind: 'internal', cause: new Error(`the livechat updater did not close the room: it answered ${answer}`) });
	}
	return ok(room.id);
}
