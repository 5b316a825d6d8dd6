import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LayoutBlock } from '@rocket.chat/ui-kit';

import { hasAllowedRole } from './authorize';
import type { MessageKey, Translate } from './i18n';
import { translator } from './i18n';
import { describeCause } from './log';
import { isOmnichannelRoom } from './resolve';
import { successBody } from './response';
import { roomCard } from './roomCard';
import type { RoomSource } from './roomSource';
import type { VoipRoomConfig } from './settings';
import { serializeRoom } from './serialize';

export type CommandAction =
	| { readonly kind: 'help' }
	| { readonly kind: 'show'; readonly rid?: string; readonly json: boolean }
	| { readonly kind: 'bad'; readonly key: MessageKey; readonly params?: { [name: string]: string } };

/** `/voiproom [rid] [json] | help` (CONTRACT §2). */
export function parseCommandArgs(args: ReadonlyArray<string>): CommandAction {
	const words = args.map((arg) => arg.trim()).filter((arg) => arg !== '');
	if (words.length === 0) {
		return { kind: 'show', json: false };
	}
	if (words.length === 1) {
		if (words[0].toLowerCase() === 'help') {
			return { kind: 'help' };
		}
		return words[0].toLowerCase() === 'json' ? { kind: 'show', json: true } : { kind: 'show', rid: words[0], json: false };
	}
	if (words.length === 2) {
		return words[1].toLowerCase() === 'json'
			? { kind: 'show', rid: words[0], json: true }
			: { kind: 'bad', key: 'voiproom_error_unknown_option', params: { option: words[1] } };
	}
	return { kind: 'bad', key: 'voiproom_error_too_many_arguments' };
}

/** What the command answers: one ephemeral message to the sender. */
export interface Reply {
	readonly text: string;
	readonly blocks?: Array<LayoutBlock>;
}

export interface CommandContext {
	readonly sender: IUser;
	/** The room the command was typed in. */
	readonly room: IRoom;
	readonly args: ReadonlyArray<string>;
	readonly config: VoipRoomConfig;
	readonly source: Pick<RoomSource, 'roomById'>;
	readonly appId: string;
	readonly logger: { error(...items: Array<unknown>): void };
}

function usageReply(t: Translate, key?: MessageKey, params?: { [name: string]: string }): Reply {
	return { text: key ? `${t(key, params)}\n${t('voiproom_usage')}` : t('voiproom_usage') };
}

async function targetRoom(
	context: CommandContext,
	rid: string | undefined,
): Promise<{ room: ILivechatRoom } | { key: MessageKey; params?: { [name: string]: string } }> {
	if (rid === undefined) {
		return isOmnichannelRoom(context.room) ? { room: context.room } : { key: 'voiproom_error_no_argument' };
	}
	const room = await context.source.roomById(rid);
	if (!room) {
		return { key: 'voiproom_error_unknown_room', params: { rid } };
	}
	return isOmnichannelRoom(room) ? { room } : { key: 'voiproom_error_not_omnichannel', params: { rid } };
}

/** The answer to one `/voiproom`; readers that fail give a short message, the cause goes to the log. */
export async function answerCommand(context: CommandContext): Promise<Reply> {
	const settings = context.sender.settings;
	const t = translator(settings && settings.preferences && settings.preferences.language);
	if (!hasAllowedRole(context.sender, context.config.allowedRoles)) {
		return usageReply(t, 'voiproom_error_not_allowed', { roles: [...context.config.allowedRoles].join(', ') });
	}
	const action = parseCommandArgs(context.args);
	if (action.kind === 'help') {
		return usageReply(t);
	}
	if (action.kind === 'bad') {
		return usageReply(t, action.key, action.params);
	}
	let target: Awaited<ReturnType<typeof targetRoom>>;
	try {
		target = await targetRoom(context, action.rid);
	} catch (cause) {
		context.logger.error('/voiproom failed', { rid: action.rid, cause: describeCause(cause) });
		return { text: t('voiproom_error_failed') };
	}
	if (!('room' in target)) {
		return usageReply(t, target.key, target.params);
	}
	if (action.json) {
		const body = successBody(serializeRoom(target.room), false);
		return { text: `${t('voiproom_json_title', { rid: target.room.id })}\n\`\`\`json\n${JSON.stringify(body, null, 2)}\n\`\`\`` };
	}
	return roomCard(target.room, t, context.appId);
}
