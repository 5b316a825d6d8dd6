import type { LayoutBlock } from '@rocket.chat/ui-kit';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { MessageKey, Translate } from './i18n';

export interface Fact {
	readonly label: MessageKey;
	readonly value: string;
}

export interface Card {
	/** Plain-text fallback: the same facts as the blocks. */
	readonly text: string;
	readonly blocks: Array<LayoutBlock>;
}

const DIRECTION_KEYS: { readonly [direction: string]: MessageKey | undefined } = {
	inbound: 'voiproom_value_inbound',
	outbound: 'voiproom_value_outbound',
};

type Unmapped = { _unmappedProperties_?: Record<string, unknown> };

function pad(n: number): string {
	return n < 10 ? `0${n}` : String(n);
}

/** `2021-07-09 20:12:19 UTC`: the same for every reader, whatever the server's time zone. */
export function formatDate(value: unknown): string | undefined {
	const date = value instanceof Date || typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
	if (!date || Number.isNaN(date.getTime())) {
		return undefined;
	}
	const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
	return `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** `1 h 2 min 3 s` from milliseconds (VoIP rooms store call durations in milliseconds). */
export function formatDuration(ms: unknown): string | undefined {
	if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
		return undefined;
	}
	const total = Math.round(ms / 1000);
	const h = Math.floor(total / 3600);
	const min = Math.floor((total % 3600) / 60);
	const s = total % 60;
	const parts = [h > 0 ? `${h} h` : '', h > 0 || min > 0 ? `${min} min` : '', `${s} s`];
	return parts.filter((part) => part !== '').join(' ');
}

function person(user: IUser | undefined): string | undefined {
	if (!user) {
		return undefined;
	}
	return user.name && user.name !== user.username ? `${user.name} (@${user.username})` : `@${user.username}`;
}

/** What an agent sees of a room, in display order. */
export function roomFacts(room: ILivechatRoom, t: Translate): Array<Fact> {
	const unknown = t('voiproom_value_unknown');
	const none = t('voiproom_value_none');
	const extra = (room as ILivechatRoom & Unmapped)._unmappedProperties_ || {};
	const visitor = room.visitor;
	const visitorText = visitor
		? [
				visitor.name && visitor.name !== visitor.username ? `${visitor.name} (@${visitor.username})` : `@${visitor.username}`,
				visitor.status,
			]
				.filter((part) => !!part)
				.join(', ')
		: unknown;
	const status = [t(room.isOpen ? 'voiproom_value_open' : 'voiproom_value_closed')];
	if (room.isOpen) {
		status.push(t(room.isWaitingResponse ? 'voiproom_value_waiting' : 'voiproom_value_not_waiting'));
	}
	const src = room.source as { type: string; alias?: string; label?: string } | undefined;
	const source = src ? src.alias || src.label || src.type : undefined;
	const facts: Array<Fact> = [
		{ label: 'voiproom_field_visitor', value: visitorText },
		{ label: 'voiproom_field_agent', value: person(room.servedBy) || none },
		{ label: 'voiproom_field_department', value: (room.department && (room.department.name || room.department.id)) || none },
		{ label: 'voiproom_field_status', value: status.join(', ') },
		{ label: 'voiproom_field_created', value: formatDate(room.createdAt) || unknown },
		{ label: 'voiproom_field_last_activity', value: formatDate(room.lastModifiedAt || room.updatedAt) || unknown },
		{ label: 'voiproom_field_messages', value: String(room.messageCount || 0) },
		{ label: 'voiproom_field_source', value: source || unknown },
	];
	if (String(room.type) === 'v') {
		const directionKey = typeof extra.direction === 'string' ? DIRECTION_KEYS[extra.direction] : undefined;
		const direction = directionKey ? t(directionKey) : undefined;
		facts.push(
			{ label: 'voiproom_field_queue', value: typeof extra.queue === 'string' && extra.queue ? extra.queue : none },
			{ label: 'voiproom_field_direction', value: direction || unknown },
			{ label: 'voiproom_field_call_duration', value: formatDuration(extra.callDuration) || unknown },
		);
	}
	facts.push({ label: 'voiproom_field_room_id', value: room.id });
	return facts;
}

function roomTitle(room: ILivechatRoom, t: Translate): string {
	const visitor = room.visitor;
	const name = (visitor && (visitor.name || visitor.username)) || room.displayName || t('voiproom_value_unknown');
	return t(String(room.type) === 'v' ? 'voiproom_title_voip' : 'voiproom_title_livechat', { name });
}

/** The room as Block Kit blocks (a title, fields in sections of at most ten) and the same facts as text. */
export function roomCard(room: ILivechatRoom, t: Translate, appId: string): Card {
	const title = roomTitle(room, t);
	const facts = roomFacts(room, t);
	const blocks: Array<LayoutBlock> = [
		{ type: 'section', appId, blockId: 'voiproom-title', text: { type: 'mrkdwn', text: `*${title}*` } },
	];
	for (let i = 0; i < facts.length; i += 10) {
		blocks.push({
			type: 'section',
			appId,
			blockId: `voiproom-facts-${i / 10}`,
			fields: facts.slice(i, i + 10).map((fact) => ({ type: 'mrkdwn', text: `*${t(fact.label)}*\n${fact.value}` })),
		});
	}
	const text = [title, ...facts.map((fact) => `${t(fact.label)}: ${fact.value}`)].join('\n');
	return { text, blocks };
}
