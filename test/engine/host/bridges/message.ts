/**
 * Messages, as Rocket.Chat's AppMessageBridge: every message is first converted to a message document
 * (convertAppMessage, which rejects a message without a known room), then
 * - notifyUser: an ephemeral message to one user (captured, not stored),
 * - notifyRoom: an ephemeral message to the room (captured, not stored),
 * - create: a stored message (captured and pushed to db.messages).
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { MessageBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';
import type { Doc } from '../converters';

export function createMessageBridge(ctx: HostContext): MessageBridge {
	const Base = ctx.engine.bridges.MessageBridge as unknown as new () => MessageBridge;
	const toDoc = (message: IMessage) => ctx.converters.convertAppMessage(message as unknown as Doc, () => ctx.newId());
	const roomIdOf = (message: IMessage): string | undefined => (message && message.room ? message.room.id : undefined);

	abstract class HostMessageBridge extends Base {
		protected async notifyUser(user: IUser, message: IMessage): Promise<void> {
			const doc = toDoc(message);
			ctx.messages.push({ kind: 'notifyUser', userId: user ? user.id : undefined, roomId: roomIdOf(message), message, doc });
		}

		protected async notifyRoom(room: IRoom, message: IMessage): Promise<void> {
			const doc = toDoc(message);
			ctx.messages.push({ kind: 'notifyRoom', roomId: room ? room.id : roomIdOf(message), message, doc });
		}

		protected async create(message: IMessage): Promise<string> {
			const doc = toDoc(message);
			if (!ctx.db.messages) {
				ctx.db.messages = [];
			}
			ctx.db.messages.push(doc);
			ctx.messages.push({ kind: 'create', roomId: doc.rid, message, messageId: doc._id, doc });
			return doc._id;
		}

		protected async getById(messageId: string): Promise<IMessage> {
			return (await ctx.converters.convertMessageById(messageId)) as unknown as IMessage;
		}

		protected async typing(): Promise<void> {
			// Rocket.Chat broadcasts a typing notification; nothing to keep here.
		}
	}

	return instrumentBridge(instantiate(HostMessageBridge), 'message', ctx);
}
