/**
 * Rocket.Chat document -> Apps-Engine object converters, written after Rocket.Chat's own
 * (apps/meteor/app/apps/server/converters/{rooms,visitors,users,departments,messages}) so that an app
 * hosted here sees what it would see on a real server:
 *
 * - rooms: every document field without an engine name is kept in `_unmappedProperties_` (that includes
 *   `v`, which Rocket.Chat's room converter reads but never deletes); `servedBy`/`responseBy`/`creator`
 *   become full users read by id (so `servedBy.ts` is lost); a missing `sysMes` reads as `true`,
 *   `default`/`ro` as `false`; the visitor is read from the visitor collection (enabled visitors only) and
 *   `v.lastMessageTs`/`v.phone` go to `visitorChannelInfo`; dates stay `Date` objects.
 * - 7.x (engine 1.62) adds to 6.x (engine 1.42): `closer`, `closedBy` (a user when closer is 'user', else the
 *   visitor), `teamId`, `isTeamMain`, `contact`, the visitor's `activity`/`externalIds`, the user's `bio`/`statusText`.
 */
import type { ConverterRevision } from '../engines';
import type { ServerFlavor, RcData, RcDepartment, RcMessage, RcRoom, RcUser, RcVisitor } from './types';

export type Doc = Record<string, unknown>;
type Mapper = string | ((data: Doc) => unknown);

const ROOM_TYPES: Record<string, string> = { c: 'c', p: 'p', d: 'd', l: 'l' };

/** A Date, also one made in another realm (a vm2 sandbox hands the host proxies of its objects). */
export function isDate(value: unknown): value is Date {
	return (
		value instanceof Date ||
		(value !== null &&
			typeof value === 'object' &&
			typeof (value as Date).getTime === 'function' &&
			typeof (value as Date).toISOString === 'function')
	);
}

/**
 * Rocket.Chat's isPlainObject (any non-null, non-array object). Deliberately realm-agnostic: objects the app
 * makes inside a vm2 sandbox do not have this realm's Object.prototype.
 */
export function isPlainObject(value: unknown): value is Doc {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && !isDate(value) && !Buffer.isBuffer(value);
}

/** lodash.cloneDeep for the value kinds a Mongo document holds (Date, arrays, plain objects, Buffers). */
export function deepClone<T>(value: T): T {
	if (isDate(value)) {
		return new Date(value.getTime()) as unknown as T;
	}
	if (Buffer.isBuffer(value)) {
		return Buffer.from(value) as unknown as T;
	}
	if (Array.isArray(value)) {
		return value.map((item) => deepClone(item)) as unknown as T;
	}
	if (value !== null && typeof value === 'object') {
		const out: Doc = {};
		for (const key of Object.keys(value as Doc)) {
			out[key] = deepClone((value as Doc)[key]);
		}
		return out as T;
	}
	return value;
}

/** Drops keys whose value is undefined (what Mongo does not store). */
export function withoutUndefined<T extends Doc>(doc: T): T {
	const out: Doc = {};
	for (const key of Object.keys(doc)) {
		if (typeof doc[key] !== 'undefined') {
			out[key] = doc[key];
		}
	}
	return out as T;
}

/**
 * Rocket.Chat's transformMappedData: applies a to <- from map on a deep copy of `data`; string sources are
 * copied (when defined) and removed, function sources compute the value from the copy (and remove what they
 * consumed themselves); what is left of the copy becomes `_unmappedProperties_`.
 */
export async function transformMappedData(data: Doc, map: Array<[string, Mapper | ((data: Doc) => Promise<unknown>)]>): Promise<Doc> {
	const originalData = deepClone(data);
	const transformed: Doc = {};
	for (const [to, from] of map) {
		if (typeof from === 'function') {
			const result = await from(originalData);
			if (typeof result !== 'undefined') {
				transformed[to] = result;
			}
		} else {
			if (typeof originalData[from] !== 'undefined') {
				transformed[to] = originalData[from];
			}
			delete originalData[from];
		}
	}
	transformed._unmappedProperties_ = originalData;
	return transformed;
}

function ref(value: unknown): { _id?: string } | undefined {
	return isPlainObject(value) ? (value as { _id?: string }) : undefined;
}

export class RcConverters {
	constructor(
		private readonly db: RcData,
		readonly flavor: ServerFlavor,
		/** the converters of 8.7+ map the federation fields and hide `abacAttributes` (see ConverterRevision) */
		readonly revision: ConverterRevision = 'before-8.7',
	) {}

	// ---------------------------------------------------------------- lookups (the "models")

	findUserById(id: string | undefined): RcUser | undefined {
		return id === undefined ? undefined : this.db.users.find((u) => u._id === id);
	}

	findUserByUsername(username: string | undefined): RcUser | undefined {
		return username === undefined ? undefined : this.db.users.find((u) => u.username === username);
	}

	findRoomById(id: string | undefined): RcRoom | undefined {
		return id === undefined ? undefined : this.db.rooms.find((r) => r._id === id);
	}

	/** LivechatVisitors.findOneEnabledById */
	findEnabledVisitorById(id: string | undefined): RcVisitor | undefined {
		return id === undefined ? undefined : this.db.visitors.find((v) => v._id === id && v.disabled !== true);
	}

	/** LivechatVisitors.getVisitorByToken */
	findVisitorByToken(token: string | undefined): RcVisitor | undefined {
		return token === undefined ? undefined : this.db.visitors.find((v) => v.token === token);
	}

	findDepartmentById(id: string | undefined): RcDepartment | undefined {
		return id === undefined ? undefined : this.db.departments.find((d) => d._id === id);
	}

	// ---------------------------------------------------------------- rooms

	async convertRoomById(roomId: string): Promise<Doc | undefined> {
		return this.convertRoom(this.findRoomById(roomId));
	}

	async convertRoom(room: RcRoom | undefined | null): Promise<Doc | undefined> {
		if (!room) {
			return undefined;
		}
		const original = room as Doc;
		const map: Array<[string, Mapper | ((data: Doc) => Promise<unknown>)]> = [
			['id', '_id'],
			['displayName', 'fname'],
			['slugifiedName', 'name'],
			['members', 'members'],
			['userIds', 'uids'],
			['messageCount', 'msgs'],
			['createdAt', 'ts'],
			['updatedAt', '_updatedAt'],
			['closedAt', 'closedAt'],
			['lastModifiedAt', 'lm'],
			['customFields', 'customFields'],
			['livechatData', 'livechatData'],
			['isWaitingResponse', 'waitingResponse'],
			['isOpen', 'open'],
			['_USERNAMES', '_USERNAMES'],
			['description', 'description'],
			['source', 'source'],
		];
		if (this.flavor === '7.x') {
			map.push(['closer', 'closer'], ['teamId', 'teamId'], ['isTeamMain', 'teamMain']);
		}
		if (this.revision === '8.7+') {
			// converters/rooms.ts (2093b92) and codecs/rooms.ts (9c93d92): after teamId/isTeamMain
			map.push(['isFederated', 'federated'], ['federation', 'federation']);
		}
		map.push(
			[
				'isDefault',
				(data) => {
					const result = !!data.default;
					delete data.default;
					return result;
				},
			],
			[
				'isReadOnly',
				(data) => {
					const result = !!data.ro;
					delete data.ro;
					return result;
				},
			],
			[
				'displaySystemMessages',
				(data) => {
					const { sysMes } = data;
					if (typeof sysMes === 'undefined') {
						return true;
					}
					delete data.sysMes;
					return sysMes;
				},
			],
			[
				'type',
				(data) => {
					const t = data.t as string;
					delete data.t;
					return ROOM_TYPES[t] !== undefined ? ROOM_TYPES[t] : t;
				},
			],
			[
				'creator',
				async (data) => {
					const u = ref(data.u);
					if (!u) {
						return undefined;
					}
					delete data.u;
					return this.convertUserById(u._id);
				},
			],
			[
				'visitor',
				async (data) => {
					// Rocket.Chat reads the visitor from the visitor collection and leaves `v` in place
					const v = ref(data.v);
					if (!v) {
						return undefined;
					}
					return this.convertVisitorById(v._id);
				},
			],
		);
		if (this.flavor === '7.x') {
			// No contacts collection in this stand-in: a `contactId` converts to no contact (and, as in
			// Rocket.Chat, stays in `_unmappedProperties_`).
			map.push(['contact', () => undefined]);
		}
		map.push(
			[
				'visitorChannelInfo',
				(data) => {
					const v = data.v as { lastMessageTs?: unknown; phone?: unknown } | undefined;
					if (!v) {
						return undefined;
					}
					const { lastMessageTs, phone } = v;
					return { ...(phone ? { phone } : {}), ...(lastMessageTs ? { lastMessageTs } : {}) };
				},
			],
			[
				'department',
				async (data) => {
					const { departmentId } = data;
					if (!departmentId) {
						return undefined;
					}
					delete data.departmentId;
					return this.convertDepartmentById(departmentId as string);
				},
			],
		);
		if (this.flavor === '7.x') {
			map.push([
				'closedBy',
				async (data) => {
					const closedBy = ref(data.closedBy);
					if (!closedBy) {
						return undefined;
					}
					delete data.closedBy;
					if (original.closer === 'user') {
						return this.convertUserById(closedBy._id);
					}
					return this.convertVisitorById(closedBy._id);
				},
			]);
		}
		map.push(
			[
				'servedBy',
				async (data) => {
					const servedBy = ref(data.servedBy);
					if (!servedBy) {
						return undefined;
					}
					delete data.servedBy;
					return this.convertUserById(servedBy._id);
				},
			],
			[
				'responseBy',
				async (data) => {
					const responseBy = ref(data.responseBy);
					if (!responseBy) {
						return undefined;
					}
					delete data.responseBy;
					return this.convertUserById(responseBy._id);
				},
			],
			[
				'parentRoom',
				async (data) => {
					const { prid } = data;
					if (!prid) {
						return undefined;
					}
					delete data.prid;
					return this.convertRoomById(prid as string);
				},
			],
		);
		if (this.revision === '8.7+') {
			// `...secureFieldsMapper(…)`: abacAttributes leaves the room and reaches only an app with `abac.read`,
			// which this app does not declare
			map.push([
				'abacAttributes',
				(data) => {
					delete data.abacAttributes;
					return undefined;
				},
			]);
		}
		return transformMappedData(original, map);
	}

	/**
	 * engine room -> room document: Rocket.Chat's convertAppRoom, non-partial (apps/meteor/app/apps/server/converters/
	 * rooms.ts), the way the livechat bridge's closeRoom turns the room the app hands it back into a document. Built
	 * from the app's object, not read from the store: `open` is what the app's `isOpen` says. The creator, the visitor
	 * (re-read, enabled only, with `lastMessageTs`/`phone` from `visitorChannelInfo`, which must be there when a
	 * visitor is), the department and `servedBy` (`{ _id, username }`: no `ts`) are looked up by id; the unmapped
	 * properties are copied over last (so the stored `v` comes back as it was).
	 */
	convertAppRoom(room: Doc | undefined | null): Doc | undefined {
		if (!room) {
			return undefined;
		}
		const creatorRef = ref(room.creator) as { id?: string } | undefined;
		const creator = creatorRef ? this.findUserById(creatorRef.id) : undefined;
		const visitorRef = ref(room.visitor) as { id?: string } | undefined;
		let v: Doc | undefined;
		if (visitorRef) {
			const visitor = this.findEnabledVisitorById(visitorRef.id);
			if (visitor) {
				// Rocket.Chat: `const { lastMessageTs, phone } = visitorChannelInfo;` (a TypeError when it is missing)
				const { lastMessageTs, phone } = room.visitorChannelInfo as { lastMessageTs?: unknown; phone?: unknown };
				v = {
					_id: visitor._id,
					username: visitor.username,
					token: visitor.token,
					status: visitor.status || 'online',
					activity: visitor.activity,
					...(lastMessageTs ? { lastMessageTs } : {}),
					...(phone ? { phone } : {}),
				};
			}
		}
		const departmentRef = ref(room.department) as { id?: string } | undefined;
		const department = departmentRef ? this.findDepartmentById(departmentRef.id) : undefined;
		const servedByRef = ref(room.servedBy) as { id?: string } | undefined;
		const servedBy = servedByRef && servedByRef.id ? this.findUserById(servedByRef.id) : undefined;
		const closedByRef = ref(room.closedBy) as { id?: string } | undefined;
		let closedBy: Doc | undefined;
		if (closedByRef && room.closer === 'user') {
			const user = this.findUserById(closedByRef.id);
			closedBy = user ? { _id: user._id, username: user.username } : undefined;
		} else if (closedByRef && room.closer === 'visitor' && v) {
			closedBy = { _id: v._id, username: v.username };
		}
		const defined = (key: string): boolean => typeof room[key] !== 'undefined';
		const doc: Doc = {
			...(room.id ? { _id: room.id } : {}),
			...(defined('type') ? { t: room.type } : {}),
			...(defined('createdAt') ? { ts: room.createdAt } : {}),
			...(defined('messageCount') ? { msgs: room.messageCount || 0 } : {}),
			...(defined('updatedAt') ? { _updatedAt: room.updatedAt } : {}),
			...(room.displayName ? { fname: room.displayName } : {}),
			...(room.type !== 'd' && room.slugifiedName ? { name: room.slugifiedName } : {}),
			...(room.members ? { members: room.members } : {}),
			...(defined('isDefault') ? { default: room.isDefault } : {}),
			...(defined('isReadOnly') ? { ro: room.isReadOnly } : {}),
			...(defined('displaySystemMessages') ? { sysMes: room.displaySystemMessages } : {}),
			...(creator ? { u: { _id: creator._id, username: creator.username, name: creator.name } } : {}),
			...(v ? { v } : {}),
			...(department ? { departmentId: department._id } : {}),
			...(servedBy ? { servedBy: { _id: servedBy._id, username: servedBy.username } } : {}),
			...(closedBy ? { closedBy } : {}),
			...(room.userIds ? { uids: room.userIds } : {}),
			...(defined('isWaitingResponse') ? { waitingResponse: !!room.isWaitingResponse } : {}),
			...(defined('isOpen') ? { open: !!room.isOpen } : {}),
			...(room.closedAt ? { closedAt: room.closedAt } : {}),
			...(room.lastModifiedAt ? { lm: room.lastModifiedAt } : {}),
			...(room.customFields ? { customFields: room.customFields } : {}),
			...(room.livechatData ? { livechatData: room.livechatData } : {}),
			...(room.source ? { source: { ...(room.source as Doc) } } : {}),
		};
		Object.assign(doc, isPlainObject(room._unmappedProperties_) ? room._unmappedProperties_ : {});
		return doc;
	}

	// ---------------------------------------------------------------- visitors

	async convertVisitorById(id: string | undefined): Promise<Doc | undefined> {
		return this.convertVisitor(this.findEnabledVisitorById(id));
	}

	async convertVisitorByToken(token: string): Promise<Doc | undefined> {
		return this.convertVisitor(this.findVisitorByToken(token));
	}

	async convertVisitor(visitor: RcVisitor | undefined | null): Promise<Doc | undefined> {
		if (!visitor) {
			return undefined;
		}
		const map: Array<[string, Mapper]> = [
			['id', '_id'],
			['username', 'username'],
			['name', 'name'],
			['department', 'department'],
			['updatedAt', '_updatedAt'],
			['token', 'token'],
			['phone', 'phone'],
			['visitorEmails', 'visitorEmails'],
			['livechatData', 'livechatData'],
			['status', 'status'],
		];
		if (this.flavor === '7.x') {
			map.push(['activity', 'activity'], ['externalIds', 'externalIds']);
		}
		return transformMappedData(visitor as Doc, map);
	}

	/** engine visitor -> visitor document (Rocket.Chat's convertAppVisitor) */
	convertAppVisitor(visitor: Doc | undefined): Doc | undefined {
		if (!visitor) {
			return undefined;
		}
		return withoutUndefined({
			_id: visitor.id,
			username: visitor.username,
			name: visitor.name,
			token: visitor.token,
			phone: visitor.phone,
			livechatData: visitor.livechatData,
			status: visitor.status || 'online',
			...(visitor.visitorEmails ? { visitorEmails: visitor.visitorEmails } : {}),
			...(visitor.department ? { department: visitor.department } : {}),
			...(isPlainObject(visitor._unmappedProperties_) ? visitor._unmappedProperties_ : {}),
		});
	}

	// ---------------------------------------------------------------- users

	async convertUserById(userId: string | undefined): Promise<Doc | undefined> {
		return this.convertUserToApp(this.findUserById(userId));
	}

	async convertUserByUsername(username: string): Promise<Doc | undefined> {
		return this.convertUserToApp(this.findUserByUsername(username));
	}

	convertUserToApp(user: RcUser | undefined | null): Doc | undefined {
		if (!user) {
			return undefined;
		}
		const out: Doc = {
			id: user._id,
			username: user.username,
			emails: user.emails,
			type: convertUserType(user.type),
			isEnabled: user.active,
			name: user.name,
			roles: user.roles,
		};
		if (this.flavor === '7.x') {
			out.bio = user.bio;
		}
		out.status = user.status;
		if (this.flavor === '7.x') {
			out.statusText = user.statusText;
		}
		Object.assign(out, {
			statusConnection: convertStatusConnection(user.statusConnection),
			utcOffset: user.utcOffset,
			createdAt: user.createdAt,
			updatedAt: user._updatedAt,
			lastLoginAt: user.lastLogin,
			appId: user.appId,
			customFields: user.customFields,
			// converters/codecs/users.ts (3a4b41a): the federation fields and the VoIP extension, from 8.7 on
			...(this.revision === '8.7+'
				? { isFederated: user.federated, federation: user.federation, sipExtension: user.freeSwitchExtension }
				: {}),
			settings: {
				preferences: {
					...(user.settings && user.settings.preferences && user.settings.preferences.language
						? { language: user.settings.preferences.language }
						: {}),
				},
			},
		});
		return out;
	}

	/** engine user -> user document (Rocket.Chat's convertToRocketChat) */
	convertUserToRocketChat(user: Doc): Doc {
		return withoutUndefined({
			_id: user.id,
			username: user.username,
			emails: user.emails,
			type: user.type,
			active: user.isEnabled,
			name: user.name,
			roles: user.roles,
			status: user.status,
			statusConnection: user.statusConnection,
			utcOffset: user.utfOffset !== undefined ? user.utfOffset : user.utcOffset,
			createdAt: user.createdAt,
			_updatedAt: user.updatedAt,
			lastLogin: user.lastLoginAt,
			appId: user.appId,
		});
	}

	// ---------------------------------------------------------------- departments

	async convertDepartmentById(id: string): Promise<Doc | undefined> {
		return this.convertDepartment(this.findDepartmentById(id));
	}

	async convertDepartment(department: RcDepartment | undefined | null): Promise<Doc | undefined> {
		if (!department) {
			return undefined;
		}
		return transformMappedData(department as Doc, [
			['id', '_id'],
			['name', 'name'],
			['email', 'email'],
			['updatedAt', '_updatedAt'],
			['enabled', 'enabled'],
			['numberOfAgents', 'numAgents'],
			['showOnOfflineForm', 'showOnOfflineForm'],
			['description', 'description'],
			['offlineMessageChannelName', 'offlineMessageChannelName'],
			['requestTagBeforeClosingChat', 'requestTagBeforeClosingChat'],
			['chatClosingTags', 'chatClosingTags'],
			['abandonedRoomsCloseCustomMessage', 'abandonedRoomsCloseCustomMessage'],
			['waitingQueueMessage', 'waitingQueueMessage'],
			['departmentsAllowedToForward', 'departmentsAllowedToForward'],
			['showOnRegistration', 'showOnRegistration'],
		]);
	}

	// ---------------------------------------------------------------- messages

	async convertMessageById(id: string): Promise<Doc | undefined> {
		const messages = this.db.messages || [];
		return this.convertMessage(messages.find((m) => m._id === id));
	}

	async convertMessage(message: RcMessage | undefined | null): Promise<Doc | undefined> {
		if (!message) {
			return undefined;
		}
		const fromVisitor = typeof message.token === 'string';
		return transformMappedData(message as Doc, [
			['id', '_id'],
			['threadId', 'tmid'],
			['reactions', 'reactions'],
			['parseUrls', 'parseUrls'],
			['text', 'msg'],
			['createdAt', 'ts'],
			['updatedAt', '_updatedAt'],
			['editedAt', 'editedAt'],
			['emoji', 'emoji'],
			['avatarUrl', 'avatar'],
			['alias', 'alias'],
			['file', 'file'],
			['customFields', 'customFields'],
			['groupable', 'groupable'],
			['token', 'token'],
			['blocks', 'blocks'],
			['type', 't'],
			[
				'room',
				async (data) => {
					const result = await this.convertRoomById(data.rid as string);
					delete data.rid;
					return result;
				},
			],
			[
				'editor',
				async (data) => {
					const editedBy = ref(data.editedBy);
					delete data.editedBy;
					return editedBy ? this.convertUserById(editedBy._id) : undefined;
				},
			],
			[
				'attachments',
				async (data) => {
					const result = await convertAttachmentsToApp(data.attachments);
					delete data.attachments;
					return result;
				},
			],
			[
				'sender',
				async (data) => {
					const u = data.u as RcUser | undefined;
					if (!u || !u._id) {
						return undefined;
					}
					const user = fromVisitor ? this.convertUserToApp(u) : await this.convertUserById(u._id);
					delete data.u;
					return user || this.convertUserToApp(u);
				},
			],
		]);
	}

	/** engine message -> message document (Rocket.Chat's convertAppMessage, non-partial) */
	convertAppMessage(message: Doc, newId: () => string): RcMessage {
		const room = isPlainObject(message.room) ? this.findRoomById(message.room.id as string) : undefined;
		if (!room) {
			throw new Error('Invalid room provided on the message.');
		}
		let u: Doc | undefined;
		const sender = isPlainObject(message.sender) ? message.sender : undefined;
		if (sender && sender.id) {
			const user = this.findUserById(sender.id as string);
			u = user
				? { _id: user._id, username: user.username, name: user.name }
				: { _id: sender.id, username: sender.username, name: sender.name };
		}
		let editedBy: Doc | undefined;
		const editor = isPlainObject(message.editor) ? message.editor : undefined;
		if (editor) {
			const user = this.findUserById(editor.id as string);
			if (user) {
				editedBy = { _id: user._id, username: user.username };
			}
		}
		const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(message, key);
		const attachments = convertAppAttachments(message.attachments);
		const doc: Doc = {
			_id: message.id || newId(),
			...(has('threadId') ? { tmid: message.threadId } : {}),
			rid: room._id,
			u,
			msg: message.text,
			ts: message.createdAt || new Date(),
			_updatedAt: message.updatedAt || new Date(),
			...(editedBy ? { editedBy } : {}),
			...(has('editedAt') ? { editedAt: message.editedAt } : {}),
			...(has('emoji') ? { emoji: message.emoji } : {}),
			...(has('avatarUrl') ? { avatar: message.avatarUrl } : {}),
			...(has('alias') ? { alias: message.alias } : {}),
			...(has('customFields') ? { customFields: message.customFields } : {}),
			...(has('groupable') ? { groupable: message.groupable } : {}),
			...(attachments ? { attachments } : {}),
			...(has('reactions') ? { reactions: message.reactions } : {}),
			...(has('parseUrls') ? { parseUrls: message.parseUrls } : {}),
			...(has('blocks') ? { blocks: message.blocks } : {}),
			...(has('token') ? { token: message.token } : {}),
		};
		Object.assign(doc, isPlainObject(message._unmappedProperties_) ? message._unmappedProperties_ : {});
		return withoutUndefined(doc) as unknown as RcMessage;
	}
}

function convertUserType(type: string | undefined): string {
	switch (type) {
		case 'user':
		case 'bot':
		case 'app':
			return type;
		case '':
		case undefined:
			return 'unknown';
		default:
			return type.toUpperCase();
	}
}

function convertStatusConnection(status: string | undefined): string {
	switch (status) {
		case 'offline':
		case 'online':
		case 'away':
		case 'busy':
			return status;
		case undefined:
			return 'undefined';
		default:
			return !status ? 'offline' : status.toUpperCase();
	}
}

async function convertAttachmentsToApp(attachments: unknown): Promise<Doc[] | undefined> {
	if (!Array.isArray(attachments)) {
		return undefined;
	}
	const out: Doc[] = [];
	for (const attachment of attachments as Doc[]) {
		out.push(
			await transformMappedData(attachment, [
				['collapsed', 'collapsed'],
				['color', 'color'],
				['text', 'text'],
				['timestampLink', 'message_link'],
				['thumbnailUrl', 'thumb_url'],
				['imageDimensions', 'image_dimensions'],
				['imagePreview', 'image_preview'],
				['imageUrl', 'image_url'],
				['imageType', 'image_type'],
				['imageSize', 'image_size'],
				['audioUrl', 'audio_url'],
				['audioType', 'audio_type'],
				['audioSize', 'audio_size'],
				['videoUrl', 'video_url'],
				['videoType', 'video_type'],
				['videoSize', 'video_size'],
				['fields', 'fields'],
				['actionButtonsAlignment', 'button_alignment'],
				['actions', 'actions'],
				['type', 'type'],
				['description', 'description'],
				[
					'author',
					(data) => {
						const { author_name: name, author_link: link, author_icon: icon } = data;
						delete data.author_name;
						delete data.author_link;
						delete data.author_icon;
						return { name, link, icon };
					},
				],
				[
					'title',
					(data) => {
						const { title: value, title_link: link, title_link_download: displayDownloadLink } = data;
						delete data.title;
						delete data.title_link;
						delete data.title_link_download;
						return { value, link, displayDownloadLink };
					},
				],
				[
					'timestamp',
					(data) => {
						const result = new Date(data.ts as string);
						delete data.ts;
						return result;
					},
				],
			]),
		);
	}
	return out;
}

function convertAppAttachments(attachments: unknown): Doc[] | undefined {
	if (!Array.isArray(attachments)) {
		return undefined;
	}
	return (attachments as Doc[]).map((a) => {
		const author = isPlainObject(a.author) ? a.author : undefined;
		const title = isPlainObject(a.title) ? a.title : undefined;
		const timestamp = isDate(a.timestamp) ? a.timestamp.toJSON() : a.timestamp;
		return Object.assign(
			{
				collapsed: a.collapsed,
				color: a.color,
				text: a.text,
				ts: timestamp,
				message_link: a.timestampLink,
				thumb_url: a.thumbnailUrl,
				author_name: author ? author.name : undefined,
				author_link: author ? author.link : undefined,
				author_icon: author ? author.icon : undefined,
				title: title ? title.value : undefined,
				title_link: title ? title.link : undefined,
				title_link_download: title ? title.displayDownloadLink : undefined,
				image_dimensions: a.imageDimensions,
				image_preview: a.imagePreview,
				image_url: a.imageUrl,
				image_type: a.imageType,
				image_size: a.imageSize,
				audio_url: a.audioUrl,
				audio_type: a.audioType,
				audio_size: a.audioSize,
				video_url: a.videoUrl,
				video_type: a.videoType,
				video_size: a.videoSize,
				fields: a.fields,
				button_alignment: a.actionButtonsAlignment,
				actions: a.actions,
				type: a.type,
				description: a.description,
			},
			isPlainObject(a._unmappedProperties_) ? a._unmappedProperties_ : {},
		);
	});
}
