import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { hasOwn, setOwn } from './objects';

/** The Rocket.Chat room document as the REST API sends it (dates as ISO strings). */
export type RestRoom = Record<string, unknown>;

/** Key order of the documented example (CONTRACT §1.4); other keys follow. */
const DOCUMENTED_ORDER = [
	'_id',
	'fname',
	't',
	'v',
	'departmentId',
	'default',
	'ro',
	'sysMes',
	'open',
	'msgs',
	'ts',
	'_updatedAt',
	'lm',
	'customFields',
	'usersCount',
	'cl',
	'departmentAncestors',
	'lastMessage',
	'metrics',
	'servedBy',
	'waitingResponse',
];

/** Fields the core never sent (and that the engine would only carry as unmapped properties). */
const NEVER_SENT = new Set(['joinCode', 'members', 'importIds', 'e2e', 'e2eKeyId']);

/** The engine's room object, with the converter's bag of fields it has no name for. */
type EngineRoom = ILivechatRoom & {
	_unmappedProperties_?: Record<string, unknown>;
	userIds?: Array<string>;
	isTeamMain?: boolean;
	teamId?: string;
	description?: string;
	parentRoom?: { id?: string };
};

function isDate(value: unknown): value is Date {
	return value instanceof Date || Object.prototype.toString.call(value) === '[object Date]';
}

/**
 * A JSON-ready copy: dates as ISO-8601 strings with milliseconds and `Z`, `undefined` dropped,
 * everything else as it is.
 */
export function toJsonValue(value: unknown): unknown {
	if (typeof value !== 'object' || value === null) {
		return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
	}
	if (isDate(value)) {
		const time = value.getTime();
		return Number.isNaN(time) ? undefined : value.toISOString();
	}
	if (Array.isArray(value)) {
		// a loop, not value.map(callback): on 1.42 the array is the server's, and vm2 would carry the callback
		// across its sandbox boundary once per element
		const items: unknown[] = [];
		for (let i = 0; i < value.length; i++) {
			const converted = toJsonValue(value[i]);
			items.push(converted === undefined ? null : converted);
		}
		return items;
	}
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value)) {
		const converted = toJsonValue((value as Record<string, unknown>)[key]);
		if (converted !== undefined) {
			setOwn(out, key, converted);
		}
	}
	return out;
}

/** Mapped values the engine did not know: absent, or `null` where msgpack turned `undefined` into nil (Deno runtime). */
const isKnown = (value: unknown): boolean => value !== undefined && value !== null;

/** An object of the known entries only. */
function known(entries: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(entries)) {
		if (isKnown(entries[key])) {
			out[key] = entries[key];
		}
	}
	return out;
}

function userRef(user: IUser | undefined): Record<string, unknown> | undefined {
	return user && user.id ? known({ _id: user.id, username: user.username }) : undefined;
}

/** `servedBy` keeps `ts` only where the server gave it (Rocket.Chat's converter drops it). */
function servedByRef(user: (IUser & { ts?: Date }) | undefined): Record<string, unknown> | undefined {
	const ref = userRef(user);
	return ref && user && isKnown(user.ts) ? { ...ref, ts: user.ts } : ref;
}

function visitorRef(room: ILivechatRoom): Record<string, unknown> | undefined {
	const { visitor } = room;
	if (!visitor || !visitor.id) {
		return undefined;
	}
	const channel = room.visitorChannelInfo;
	return known({
		_id: visitor.id,
		username: visitor.username,
		token: visitor.token,
		status: visitor.status,
		lastMessageTs: channel ? channel.lastMessageTs : undefined,
	});
}

/**
 * Step 5 of the endpoint: the reverse of Rocket.Chat's room converter (CONTRACT §1.4). Mapped fields are
 * renamed back; the unmapped ones the converter kept are copied as they are; dates become ISO strings.
 */
export function serializeRoom(room: ILivechatRoom): RestRoom {
	const engineRoom = room as EngineRoom;
	const mapped: Record<string, unknown> = {
		_id: room.id,
		fname: room.displayName,
		name: room.slugifiedName,
		t: room.type,
		v: visitorRef(room),
		departmentId: room.department && room.department.id,
		default: room.isDefault,
		ro: room.isReadOnly,
		sysMes: room.displaySystemMessages,
		open: room.isOpen,
		msgs: room.messageCount,
		ts: room.createdAt,
		_updatedAt: room.updatedAt,
		lm: room.lastModifiedAt,
		customFields: room.customFields,
		livechatData: room.livechatData,
		servedBy: servedByRef(room.servedBy),
		closedBy: userRef(room.closedBy),
		responseBy: userRef(room.responseBy),
		waitingResponse: room.isWaitingResponse,
		closedAt: room.closedAt,
		closer: room.closer,
		source: room.source,
		description: engineRoom.description,
		teamId: engineRoom.teamId,
		teamMain: engineRoom.isTeamMain,
		uids: engineRoom.userIds,
		prid: engineRoom.parentRoom && engineRoom.parentRoom.id,
	};
	const unmapped = engineRoom._unmappedProperties_ || {};
	const merged: Record<string, unknown> = {};
	for (const key of Object.keys(unmapped)) {
		if (!NEVER_SENT.has(key) && unmapped[key] !== undefined) {
			setOwn(merged, key, unmapped[key]);
		}
	}
	for (const key of Object.keys(mapped)) {
		if (isKnown(mapped[key])) {
			setOwn(merged, key, mapped[key]);
		}
	}
	const ordered: Record<string, unknown> = {};
	for (const key of DOCUMENTED_ORDER) {
		if (hasOwn(merged, key)) {
			setOwn(ordered, key, merged[key]);
		}
	}
	for (const key of Object.keys(merged)) {
		if (!hasOwn(ordered, key)) {
			setOwn(ordered, key, merged[key]);
		}
	}
	return toJsonValue(ordered) as RestRoom;
}
