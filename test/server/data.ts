/**
 * `--data FILE`: an integrator's own Rocket.Chat documents instead of the demo database.
 *
 * The file is JSON: `{ "users": [...], "visitors": [...], "rooms": [...], "departments": [...], "messages": [...],
 * "tokens": { "<userId>": "<auth token>" } }`, each document as Rocket.Chat stores it (`_id`, Rocket.Chat's field
 * names; e.g. what `mongoexport` gives for rocketchat_room, users, rocketchat_livechat_visitor and
 * rocketchat_livechat_department). Dates: `{ "$date": "2021-07-09T20:12:19.795Z" }` (or epoch milliseconds, or
 * `{ "$numberLong": "…" }`) anywhere, or a plain ISO string in a field Rocket.Chat stores as a date (DATE_FIELDS).
 * Collections left out are empty. Problems are reported with the file name and the document's position.
 */
import * as fs from 'fs';

import type { RcData, RcUser } from '../engine/host';
import type { Credentials } from './demo';

/** Dotted paths of the fields Rocket.Chat stores as dates, per collection (a plain ISO string there becomes a Date). */
export const DATE_FIELDS: Record<'users' | 'visitors' | 'rooms' | 'departments' | 'messages', string[]> = {
	users: ['createdAt', '_updatedAt', 'lastLogin'],
	visitors: ['ts', '_updatedAt', 'lastChat.ts', 'lastAgent.ts'],
	rooms: [
		'ts',
		'_updatedAt',
		'lm',
		'closedAt',
		'queuedAt',
		'callStarted',
		'v.lastMessageTs',
		'servedBy.ts',
		'closedBy.ts',
		'responseBy.firstResponseTs',
		'responseBy.lastMessageTs',
		'lastMessage.ts',
		'lastMessage._updatedAt',
		'metrics.reaction.fd',
		'metrics.response.fd',
		'metrics.v.lq',
		'metrics.servedBy.lr',
	],
	departments: ['_updatedAt'],
	messages: ['ts', '_updatedAt', 'editedAt'],
};

type Collection = keyof typeof DATE_FIELDS;
const COLLECTIONS: Collection[] = ['users', 'visitors', 'rooms', 'departments', 'messages'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export class DataError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Doc = Record<string, unknown>;

function isObject(value: unknown): value is Doc {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

function toDate(value: unknown, where: string): Date {
	let date: Date | undefined;
	if (typeof value === 'string' && ISO_DATE.test(value)) {
		date = new Date(value);
	} else if (typeof value === 'number') {
		date = new Date(value);
	} else if (isObject(value) && typeof value.$numberLong === 'string' && /^-?\d+$/.test(value.$numberLong)) {
		date = new Date(Number(value.$numberLong));
	}
	if (!date || isNaN(date.getTime())) {
		throw new DataError(`${where}: not a date: ${JSON.stringify(value)} (an ISO-8601 string, epoch milliseconds or { "$date": … })`);
	}
	return date;
}

/** `{ "$date": … }` anywhere becomes a Date (EJSON, as mongoexport writes it). */
function reviveEjson(value: Json | Date, where: string): unknown {
	if (Array.isArray(value)) {
		return value.map((item, i) => reviveEjson(item, `${where}[${i}]`));
	}
	if (isObject(value)) {
		const keys = Object.keys(value);
		if (keys.length === 1 && keys[0] === '$date') {
			return toDate(value.$date, where);
		}
		const out: Doc = {};
		for (const key of keys) {
			if (key === '__proto__') {
				continue;
			}
			out[key] = reviveEjson(value[key] as Json, `${where}.${key}`);
		}
		return out;
	}
	return value;
}

function reviveDateFields(doc: Doc, collection: Collection, where: string): void {
	for (const field of DATE_FIELDS[collection]) {
		const parts = field.split('.');
		let parent: unknown = doc;
		for (const part of parts.slice(0, -1)) {
			parent = isObject(parent) ? parent[part] : undefined;
		}
		const last = parts[parts.length - 1];
		if (isObject(parent) && typeof parent[last] === 'string') {
			parent[last] = toDate(parent[last], `${where}.${field}`);
		}
	}
}

function requireString(doc: Doc, field: string, where: string): void {
	if (typeof doc[field] !== 'string' || doc[field] === '') {
		throw new DataError(`${where}: "${field}" must be a non-empty string`);
	}
}

function checkDocument(doc: Doc, collection: Collection, where: string): void {
	requireString(doc, '_id', where);
	switch (collection) {
		case 'users':
			requireString(doc, 'username', where);
			if (!Array.isArray(doc.roles) || !doc.roles.every((role) => typeof role === 'string')) {
				throw new DataError(`${where}: "roles" must be an array of role names, e.g. ["user", "livechat-agent"]`);
			}
			if (doc.type === undefined) {
				doc.type = 'user';
			}
			if (doc.active === undefined) {
				doc.active = true;
			}
			break;
		case 'visitors':
			requireString(doc, 'username', where);
			requireString(doc, 'token', where);
			break;
		case 'rooms':
			requireString(doc, 't', where);
			break;
		case 'departments':
			if (doc.enabled === undefined) {
				doc.enabled = true;
			}
			break;
		case 'messages':
			requireString(doc, 'rid', where);
			if (!(doc.ts instanceof Date)) {
				throw new DataError(`${where}: "ts" must be a date`);
			}
			break;
	}
}

/** Rocket.Chat documents from parsed JSON (dates revived, shapes checked); `source` names the file in errors. */
export function dataFromJson(json: unknown, source: string): RcData {
	if (!isObject(json)) {
		throw new DataError(`${source}: expected an object { users, visitors, rooms, departments, tokens }`);
	}
	for (const key of Object.keys(json)) {
		if (key !== 'tokens' && !(COLLECTIONS as string[]).includes(key)) {
			throw new DataError(`${source}: unknown key "${key}" (expected ${[...COLLECTIONS, 'tokens'].join(', ')})`);
		}
	}
	const data: RcData = { users: [], visitors: [], rooms: [], departments: [], messages: [], tokens: {} };
	for (const collection of COLLECTIONS) {
		const list = json[collection];
		if (list === undefined) {
			continue;
		}
		if (!Array.isArray(list)) {
			throw new DataError(`${source}: "${collection}" must be an array of documents`);
		}
		const seen = new Set<string>();
		const docs = list.map((item: Json, i: number) => {
			const where = `${source}: ${collection}[${i}]`;
			if (!isObject(item)) {
				throw new DataError(`${where}: not an object`);
			}
			const doc = reviveEjson(item, where) as Doc;
			reviveDateFields(doc, collection, where);
			checkDocument(doc, collection, where);
			const id = doc._id as string;
			if (seen.has(id)) {
				throw new DataError(`${where}: _id "${id}" appears twice`);
			}
			seen.add(id);
			return doc;
		});
		(data as unknown as Record<Collection, Doc[]>)[collection] = docs;
	}
	const tokens = json.tokens;
	if (tokens !== undefined) {
		if (!isObject(tokens)) {
			throw new DataError(`${source}: "tokens" must be an object { "<userId>": "<auth token>" }`);
		}
		for (const userId of Object.keys(tokens)) {
			if (typeof tokens[userId] !== 'string' || tokens[userId] === '') {
				throw new DataError(`${source}: tokens.${userId} must be a non-empty string`);
			}
			if (!data.users.some((user) => user._id === userId)) {
				throw new DataError(`${source}: tokens.${userId}: no user has that _id`);
			}
			(data.tokens as Record<string, string>)[userId] = tokens[userId] as string;
		}
	}
	return data;
}

/** Reads and checks a `--data` file. */
export function loadDataFile(file: string): RcData {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (e) {
		throw new DataError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code || String(e)})`);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (e) {
		throw new DataError(`${file}: not JSON (${(e as Error).message})`);
	}
	return dataFromJson(json, file);
}

const ALLOWED = ['livechat-agent', 'livechat-manager', 'admin'];

function withToken(data: RcData, test: (user: RcUser) => boolean): Credentials {
	const tokens = data.tokens || {};
	const user = data.users.find((candidate) => tokens[candidate._id] !== undefined && test(candidate));
	return user ? { id: user._id, token: tokens[user._id] } : { id: '', token: '' };
}

/**
 * The users `startServer()` hands out, picked from any database among those with a token: an agent
 * (`livechat-agent`, not a manager or admin when there is such a one), a manager (`livechat-manager`, not an admin
 * when there is such a one, else `admin`), a user holding none of the default allowed roles. `{ id: '', token: '' }`
 * when there is none.
 */
export function pickUsers(data: RcData): { agent: Credentials; manager: Credentials; plain: Credentials } {
	const has = (user: RcUser, role: string): boolean => user.roles.includes(role);
	const pureAgent = withToken(data, (u) => has(u, 'livechat-agent') && !has(u, 'livechat-manager') && !has(u, 'admin'));
	const pureManager = withToken(data, (u) => has(u, 'livechat-manager') && !has(u, 'admin'));
	const manager = pureManager.id ? pureManager : withToken(data, (u) => has(u, 'livechat-manager'));
	return {
		agent: pureAgent.id ? pureAgent : withToken(data, (u) => has(u, 'livechat-agent')),
		manager: manager.id ? manager : withToken(data, (u) => has(u, 'admin')),
		plain: withToken(data, (u) => !ALLOWED.some((role) => has(u, role))),
	};
}
