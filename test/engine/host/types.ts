/**
 * Shapes shared by the in-memory Rocket.Chat stand-in (the "test host").
 *
 * The store keeps Rocket.Chat *database documents* (Mongo shape: `_id`, `Date` values, Rocket.Chat's
 * field names). The converters in `converters.ts` turn them into the objects the Apps-Engine hands to
 * an app, the way Rocket.Chat's own converters do.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';

import type { RegisteredApi } from './context';
import type { LivenessTimings } from './liveness';

import type { EngineName, ServerFlavor } from '../engines';

export type { EngineName, ServerFlavor };

export interface RcUser {
	_id: string;
	username: string;
	name?: string;
	roles: string[];
	type: 'user' | 'bot' | 'app';
	status?: string;
	statusConnection?: string;
	/** livechat agents: 'available' | 'not-available' */
	statusLivechat?: string;
	active: boolean;
	emails?: Array<{ address: string; verified: boolean }>;
	utcOffset?: number;
	appId?: string;
	createdAt?: Date;
	_updatedAt?: Date;
	lastLogin?: Date;
	bio?: string;
	statusText?: string;
	customFields?: Record<string, unknown>;
	settings?: { preferences?: { language?: string; [key: string]: unknown } };
	[key: string]: unknown;
}

export interface RcVisitor {
	_id: string;
	username: string;
	name?: string;
	token: string;
	status?: string;
	department?: string;
	ts?: Date;
	_updatedAt?: Date;
	phone?: Array<{ phoneNumber: string }>;
	visitorEmails?: Array<{ address: string }>;
	livechatData?: Record<string, unknown>;
	activity?: string[];
	/** a disabled visitor is invisible to lookups by id (Rocket.Chat's findOneEnabledById) */
	disabled?: boolean;
	[key: string]: unknown;
}

export interface RcUserRef {
	_id: string;
	username?: string;
	name?: string;
	ts?: Date;
	[key: string]: unknown;
}

/** A rocketchat_room document. Omnichannel fields are optional because 'c'/'p'/'d' rooms lack them. */
export interface RcRoom {
	_id: string;
	t: string;
	fname?: string;
	name?: string;
	ts?: Date;
	_updatedAt?: Date;
	lm?: Date;
	msgs?: number;
	usersCount?: number;
	u?: RcUserRef;
	v?: { _id: string; username?: string; token?: string; status?: string; lastMessageTs?: Date; phone?: string; [key: string]: unknown };
	departmentId?: string;
	servedBy?: RcUserRef;
	closedBy?: RcUserRef;
	responseBy?: RcUserRef;
	closer?: string;
	open?: boolean;
	closedAt?: Date;
	waitingResponse?: boolean;
	default?: boolean;
	ro?: boolean;
	sysMes?: boolean | string[];
	customFields?: Record<string, unknown>;
	livechatData?: Record<string, unknown>;
	source?: { type: string; id?: string; alias?: string; [key: string]: unknown };
	prid?: string;
	[key: string]: unknown;
}

export interface RcDepartment {
	_id: string;
	name?: string;
	enabled: boolean;
	numAgents?: number;
	email?: string;
	description?: string;
	showOnRegistration?: boolean;
	showOnOfflineForm?: boolean;
	_updatedAt?: Date;
	[key: string]: unknown;
}

export interface RcMessage {
	_id: string;
	rid: string;
	msg?: string;
	ts: Date;
	u?: RcUserRef;
	tmid?: string;
	_updatedAt?: Date;
	[key: string]: unknown;
}

/** Rocket.Chat database documents (Mongo shape: _id, Date values). */
export interface RcData {
	users: RcUser[];
	visitors: RcVisitor[];
	rooms: RcRoom[];
	departments: RcDepartment[];
	/** messages the app created through the message creator land here (rocketchat_message) */
	messages?: RcMessage[];
	/** userId -> auth token (used by the HTTP server) */
	tokens?: Record<string, string>;
	/** apps' persistence records (Rocket.Chat's apps_persistence, one collection for every app and instance) */
	appsPersistence?: RcPersistenceRecord[];
}

/** An apps_persistence document, as Rocket.Chat's AppPersistenceBridge stores it. */
export interface RcPersistenceRecord {
	_id: string;
	appId: string;
	/** as the app gave them (Mongo keeps the { model, id } sub-documents) */
	associations?: Array<{ model: string; id: string }>;
	data: object;
}

export interface HostOptions {
	engine: EngineName;
	/**
	 * absolute path of the packaged app (.zip), installed and enabled at start; omitted: the host starts with no app
	 * (as a workspace before the first upload) and the first `installPackage` makes the host's app
	 */
	zipPath?: string;
	/** the live store: the host reads and writes this very object */
	data: RcData;
	/** per-request timeout of the runtime (Deno: APPS_ENGINE_RUNTIME_TIMEOUT), default 30000 */
	runtimeTimeoutMs?: number;
	/**
	 * Deno engines: the liveness check's timings (see liveness.ts; default, as on every Rocket.Chat server: a ping
	 * every 10 s, 1 s to answer, restart after 4 missed pings). Only for tests that wait for a restart.
	 */
	liveness?: LivenessTimings;
	/**
	 * keep only the newest N entries of the app log storage (the engine stores one per endpoint call; a server
	 * keeps them in Mongo, off its heap): for long runs that measure memory. Default: keep everything.
	 */
	logRetention?: number;
}

/** Who uploads a package and what the admin consented to (the multipart field `permissions` of POST /api/apps). */
export interface PackageOptions {
	/** the requesting user (converted as Rocket.Chat converts `this.user`); default the first admin of the data */
	userId?: string;
	/** the permissions granted; undefined: none sent (the engine then keeps none on update) */
	permissionsGranted?: Array<{ name: string; [key: string]: unknown }>;
}

/** What the engine answers an install or update (its AppFabricationFulfillment), as Rocket.Chat's REST layer reads it. */
export interface PackageResult {
	/** the app.json the engine read from the package, with `status` after the call (when it made an app) */
	app: { id: string; name: string; nameSlug: string; version: string; status?: string; [key: string]: unknown };
	implemented: Record<string, boolean>;
	licenseValidation?: unknown;
	/** AppFabricationFulfillment.getStorageError(): the package could not be stored */
	storageError?: string;
	/** AppFabricationFulfillment.getAppUserError(): the app's bot user could not be made */
	appUserError?: { username: string; message: string };
}

/** An installed app as GET /api/apps/:id answers it (Rocket.Chat's formatAppInstanceForRest). */
export interface InstalledApp {
	id: string;
	name: string;
	nameSlug: string;
	version: string;
	status: string;
	languages: Record<string, unknown>;
	private: boolean;
	migrated: boolean;
	[key: string]: unknown;
}

export interface ApiResult {
	status: number;
	headers: Record<string, string>;
	content: unknown;
}

export interface ApiCallRequest {
	/** default 'get' */
	method?: 'get' | 'post' | 'put' | 'delete' | 'head' | 'options' | 'patch';
	query?: Record<string, unknown>;
	userId?: string | null;
	headers?: Record<string, string>;
	content?: unknown;
	/** the app to call (an id `installExtra` returned); default the host's app */
	appId?: string;
}

export interface CommandSender {
	userId: string;
	roomId: string;
	args: string[];
	threadId?: string;
}

export type CapturedMessageKind = 'notifyUser' | 'notifyRoom' | 'create';

export interface CapturedMessage {
	kind: CapturedMessageKind;
	/** notifyUser: the user the ephemeral message is for; create: undefined; notifyRoom: undefined */
	userId?: string;
	/** the room of the message (message.room.id) or, for notifyRoom, the notified room */
	roomId?: string;
	/** the engine message object, exactly as the bridge received it */
	message: IMessage;
	/** create only: the id the server gave the stored message */
	messageId?: string;
	/** the message document the server made of it (Rocket.Chat's convertAppMessage) */
	doc: RcMessage;
}

/** 'undefined' is what the engine answers for a call the app has no permission for; 'false' a bridge answering false */
export type FaultMode = 'throw' | 'undefined' | 'false';

export interface LogRecord {
	method: string;
	entries: Array<{ severity: string; args: unknown[] }>;
}

export interface CallCounter {
	count(): number;
	byMethod(): Record<string, number>;
	reset(): void;
}

export interface Host {
	readonly engine: EngineName;
	readonly appId: string;
	/** the live store; tests mutate/inspect it */
	readonly db: RcData;
	readonly timings: { installMs: number };
	/** as the server's HTTP layer passes it: lower-cased headers, user converted by the user converter */
	call(path: string, request: ApiCallRequest): Promise<ApiResult>;
	/** runs executeCommand with a real SlashCommandContext; returns the messages the app sent during it */
	command(command: string, sender: CommandSender): Promise<CapturedMessage[]>;
	/** every message the app sent */
	messages: CapturedMessage[];
	/** through the engine's settings manager, as an admin changing it (fires the app's onSettingUpdated); `appId`: another app's */
	setSetting(id: string, value: unknown, appId?: string): Promise<void>;
	/** an app's settings as the engine stores them (default the host's app; `{}` when there is no such app) */
	appSettings(
		appId?: string,
	): Record<string, { id: string; value?: unknown; packageValue?: unknown; hidden?: boolean; [key: string]: unknown }>;
	/** the app's current value of a setting, as the engine stores it */
	getSetting(id: string): unknown;
	/** every bridge read caused by the app (not by the install) */
	reads: CallCounter;
	/** every bridge call (reads and writes) caused by the app (not by the install) */
	calls: CallCounter;
	faults: {
		set(bridgeMethod: string, mode: FaultMode, times?: number): void;
		/**
		 * awaits `hook(args, key)` before every such call (a promise the test resolves holds the call until then);
		 * `'*'` for every call without a hook of its own; clear() drops them
		 */
		hold(bridgeMethod: string, hook: (args: unknown[], key: string) => Promise<void> | void): void;
		clear(): void;
	};
	/** the app's log storage content, readable (errors become { name, message, stack }) */
	logs(): LogRecord[];
	/** the same as one printable string, for assertion messages */
	logText(): string;
	/** every permission check the engine failed for the app (it drops the call and console.errors the reason) */
	deniedPermissions(): Array<{ message: string; missing: string[] }>;
	/** the slash commands registered with the server (lower-case names), as Rocket.Chat's command registry holds them */
	slashCommands(): Array<{ command: string; appId: string; enabled: boolean }>;
	/**
	 * the app's endpoints as registered with the server (path, authRequired, visibility, security, methods, examples);
	 * `appId`: another app's (`installExtra`), default the host's app
	 */
	registeredApis(appId?: string): Array<RegisteredApi>;
	/** the slash commands the app registered, as declared (without their functions) */
	registeredCommands(): Array<Record<string, unknown>>;
	/** the app's status per the engine */
	status(): Promise<string>;
	/**
	 * installs and enables one more packaged app into the same AppManager, as `startHost` did the first (permissions
	 * granted = its declared ones; its install's reads are not counted); returns its id, for `call`'s `appId`.
	 * `reads`/`calls` count the bridge calls of every app; `logs()` shows the host's app only; `stop()` removes all.
	 */
	installExtra(zipPath: string): Promise<string>;
	/**
	 * POST /api/apps as Rocket.Chat's apps REST API does it (ee/server/apps/communication/rest.ts): the engine's
	 * `manager.add(zip, { permissionsGranted, enable: false, user })`, then `changeStatus(id, 'manually_enabled')`.
	 * A package the engine cannot read rejects with the engine's error; the first app of an empty host becomes the host's app.
	 */
	installPackage(zip: Buffer, options?: PackageOptions): Promise<PackageResult>;
	/** POST /api/apps/:id/status as Rocket.Chat does it: the engine's `changeStatus(id, status)`; the status after it. */
	changeStatus(status: 'manually_enabled' | 'manually_disabled', appId?: string): Promise<string>;
	/**
	 * POST /api/apps/:id: the engine's `manager.update(zip, permissionsGranted, { user, loadApp: true })`: the app is
	 * replaced in the running engine (settings an admin changed are kept, the endpoints answer from the new code).
	 * A package the engine cannot read rejects with the engine's error before anything changes.
	 */
	update(zip: Buffer, options?: PackageOptions): Promise<PackageResult>;
	/** GET /api/apps/:id: the installed app (default the host's), undefined when there is none */
	installedApp(appId?: string): Promise<InstalledApp | undefined>;
	/**
	 * An agent closes the room from Rocket.Chat's UI (the `livechat:closeRoom` method: the stored room, the agent as
	 * the closing user) through the same close the bridge uses (closeRoom.ts): a close from outside the app.
	 */
	closeAsAgent(rid: string, agentId: string): Promise<void>;
	/** the pid of an app's Deno subprocess (1.62; default the host's app), undefined on 1.42 */
	runtimePid(appId?: string): number | undefined;
	/** remove/unload the app, kill the Deno subprocess, release the engine singleton and the cwd */
	stop(): Promise<void>;
}
