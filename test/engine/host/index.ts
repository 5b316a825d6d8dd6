/**
 * An in-memory Rocket.Chat stand-in that hosts a packaged app in the real Apps-Engine AppManager:
 * engine 1.62.0 (Deno subprocess, as Rocket.Chat 7.x/8.x) or 1.42.1 (vm2 in this process, as Rocket.Chat 6.x).
 *
 *   const host = await startHost({ engine: '1.62', zipPath, data });
 *   const res = await host.call('voip/room', { query: { token, rid }, userId: agent._id });
 *   const sent = await host.command('voiproom', { userId: agent._id, roomId: rid, args: [] });
 *   await host.stop();
 *
 * The store (`data`) holds Rocket.Chat database documents; the bridges read and write it through
 * converters that behave as Rocket.Chat's (see converters.ts). Install and enable go through the engine
 * exactly as on a server: signature, app user, permissions granted = the app's declared permissions.
 */
import * as fs from 'fs';
import * as util from 'util';
import type { IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { IPermission } from '@rocket.chat/apps-engine/definition/permissions/IPermission';
import type { AppFabricationFulfillment } from '@rocket.chat/apps-engine/server/compiler';
import { prepareDenoRuntime, useDenoRuntime } from '../deno';
import { isDenoEngine } from '../engines';
import { createAppBridges } from './bridges';
import { closeLivechatRoom } from './closeRoom';
import type { HostContext, RegisteredApi } from './context';
import { createContext } from './context';
import type { Doc } from './converters';
import { isPlainObject } from './converters';
import type { EngineModules } from './engine';
import { clearAppManagerSingleton, loadEngine, prepareTempFilePath, prepareVm2Layout } from './engine';
import type { LivenessTimings } from './liveness';
import { withLivenessTimings } from './liveness';
import { createStorages } from './storage';
import type { HostStorages } from './storage';
import type {
	ApiCallRequest,
	ApiResult,
	CallCounter,
	CapturedMessage,
	CommandSender,
	EngineName,
	FaultMode,
	Host,
	HostOptions,
	InstalledApp,
	LogRecord,
	PackageOptions,
	PackageResult,
	RcData,
} from './types';

export type {
	ApiCallRequest,
	ApiResult,
	CallCounter,
	CapturedMessage,
	CapturedMessageKind,
	CommandSender,
	EngineName,
	FaultMode,
	Host,
	HostOptions,
	InstalledApp,
	LogRecord,
	PackageOptions,
	PackageResult,
	RcData,
	RcDepartment,
	RcMessage,
	RcPersistenceRecord,
	RcRoom,
	RcUser,
	RcUserRef,
	RcVisitor,
	ServerFlavor,
} from './types';
export type { LivenessTimings } from './liveness';
export { RcConverters, transformMappedData } from './converters';
export { SEED, documentedRoom, seedData } from './seed';

/** Only one host (or cluster) per engine package can live at a time (the AppManager is a singleton). */
const liveHosts = new Map<EngineName, { what: string }>();

function counter(map: Map<string, number>): CallCounter {
	return {
		count: () => Array.from(map.values()).reduce((sum, n) => sum + n, 0),
		byMethod: () => {
			const out: Record<string, number> = {};
			map.forEach((n, key) => {
				out[key] = n;
			});
			return out;
		},
		reset: () => map.clear(),
	};
}

/** Makes log arguments printable: errors become { name, message, stack }, cycles and depth are cut. */
function readable(value: unknown, depth = 0, seen: unknown[] = []): unknown {
	if (value instanceof Error) {
		return { name: value.name, message: value.message, stack: value.stack };
	}
	if (typeof value === 'function') {
		return `[Function ${value.name || 'anonymous'}]`;
	}
	if (value === null || typeof value !== 'object' || value instanceof Date) {
		return value;
	}
	if (seen.indexOf(value) !== -1) {
		return '[Circular]';
	}
	if (depth >= 6) {
		return '[Object]';
	}
	const nextSeen = seen.concat([value]);
	if (Array.isArray(value)) {
		return value.map((item) => readable(item, depth + 1, nextSeen));
	}
	const out: Doc = {};
	for (const key of Object.keys(value as Doc)) {
		out[key] = readable((value as Doc)[key], depth + 1, nextSeen);
	}
	return out;
}

/** What express' res.set/res.send do to the app's headers and body. */
function toHttpResult(response: IApiResponse): ApiResult {
	const headers: Record<string, string> = {};
	const appHeaders = (response.headers || {}) as Record<string, unknown>;
	for (const key of Object.keys(appHeaders)) {
		headers[key.toLowerCase()] = String(appHeaders[key]);
	}
	let content: unknown = response.content;
	if (content !== undefined && content !== null && typeof content === 'object' && !Buffer.isBuffer(content)) {
		// res.send(object) -> res.json: the client receives JSON (Dates become ISO strings, undefined keys vanish)
		content = JSON.parse(JSON.stringify(content));
		headers['content-type'] = withCharset(headers['content-type'] || 'application/json');
	} else if (typeof content === 'string') {
		headers['content-type'] = withCharset(headers['content-type'] || 'text/html');
	}
	return { status: response.status, headers, content };
}

function withCharset(type: string): string {
	return /charset=/i.test(type) ? type : `${type}; charset=utf-8`;
}

class HostImpl implements Host {
	/** the instance is down (a cluster killed it): its calls are refused */
	down = false;
	readonly timings = { installMs: 0 };
	readonly reads: CallCounter;
	readonly calls: CallCounter;
	readonly faults: Host['faults'];
	messages: CapturedMessage[];
	appId = '';
	private stopped = false;
	private admin: IUser | undefined;
	/** apps installed by installExtra, in install order */
	private readonly extraAppIds: string[] = [];
	private runtimeTimeoutMs: number | undefined;
	private liveness: LivenessTimings | undefined;

	constructor(
		readonly engine: EngineName,
		private readonly modules: EngineModules,
		private readonly ctx: HostContext,
		private readonly manager: AppManager,
		private readonly storages: HostStorages,
		/** what stopping gives back: the engine singleton and the process set-up (a cluster's instances: nothing) */
		private readonly release: () => void,
	) {
		this.messages = ctx.messages;
		this.reads = counter(ctx.reads);
		this.calls = counter(ctx.calls);
		this.faults = {
			set: (bridgeMethod: string, mode: FaultMode, times?: number) => {
				ctx.faults.set(bridgeMethod, { mode, remaining: typeof times === 'number' ? times : -1 });
			},
			hold: (bridgeMethod: string, hook: (args: unknown[], key: string) => Promise<void> | void) => {
				ctx.holds.set(bridgeMethod, hook);
			},
			clear: () => {
				ctx.faults.clear();
				ctx.holds.clear();
			},
		};
	}

	get db(): RcData {
		return this.ctx.db;
	}

	async install(zipPath: string | undefined, runtimeTimeoutMs?: number, liveness?: LivenessTimings): Promise<void> {
		this.runtimeTimeoutMs = runtimeTimeoutMs;
		this.liveness = liveness;
		const started = Date.now();
		if (zipPath !== undefined) {
			this.appId = await this.add(zipPath);
		}
		this.timings.installMs = Date.now() - started;
		this.ctx.counting = true;
	}

	async installPackage(zip: Buffer, options: PackageOptions = {}): Promise<PackageResult> {
		this.assertLive();
		const user = await this.packageUser(options.userId);
		const parsed = await this.manager.getParser().unpackageApp(zip);
		if (this.manager.getOneById(parsed.info.id)) {
			// what the engine's add() ends in (Rocket.Chat's metadata storage refuses a second document for the id),
			// without the runtime it would start and leave behind first
			throw new Error('App already exists.');
		}
		const aff = await this.withRuntimeTimeout(() =>
			this.manager.add(zip, { permissionsGranted: options.permissionsGranted, enable: false, user }),
		);
		const result = await this.packageResult(aff);
		const app = aff.getApp();
		if (!app || result.storageError || result.appUserError) {
			return result;
		}
		const appId = app.getID();
		if (!this.appId) {
			this.appId = appId;
		} else {
			this.extraAppIds.push(appId);
		}
		try {
			// rest.ts: canEnableApp (a licensed workspace: allowed), then changeStatus; a failure leaves it installed, disabled
			const enabled = await this.withRuntimeTimeout(() => this.manager.changeStatus(appId, 'manually_enabled' as AppStatus));
			result.app.status = String(await enabled.getStatus());
		} catch {
			result.app.status = String(await app.getStatus());
		}
		return result;
	}

	async changeStatus(status: 'manually_enabled' | 'manually_disabled', appId: string = this.appId): Promise<string> {
		this.assertLive();
		const app = await this.withRuntimeTimeout(() => this.manager.changeStatus(appId, status as AppStatus));
		return String(await app.getStatus());
	}

	async update(zip: Buffer, options: PackageOptions = {}): Promise<PackageResult> {
		this.assertLive();
		const user = await this.packageUser(options.userId);
		const aff = await this.withRuntimeTimeout(() =>
			this.manager.update(zip, options.permissionsGranted as IPermission[], { user, loadApp: true }),
		);
		const result = await this.packageResult(aff);
		const app = aff.getApp();
		if (app && !result.storageError && !result.appUserError) {
			result.app.status = String(await app.getStatus());
		}
		return result;
	}

	async installedApp(appId: string = this.appId): Promise<InstalledApp | undefined> {
		const app = appId ? this.manager.getOneById(appId) : undefined;
		if (!app) {
			return undefined;
		}
		const item = app.getStorageItem();
		// formatAppInstanceForRest (ee/lib/misc/formatAppInstanceForRest.ts)
		return {
			...(app.getInfo() as unknown as Record<string, unknown>),
			status: String(await app.getStatus()),
			languages: (item.languageContent || {}) as Record<string, unknown>,
			private: String(item.installationSource) === 'private',
			migrated: !!(item as unknown as { migrated?: boolean }).migrated,
		} as InstalledApp;
	}

	/** The requester as Rocket.Chat converts `this.user`; without one, the admin the host installs as. */
	private async packageUser(userId: string | undefined): Promise<IUser> {
		const converted = userId ? await this.ctx.converters.convertUserById(userId) : undefined;
		this.admin = this.admin || (await this.installingUser());
		return converted ? (converted as unknown as IUser) : this.admin;
	}

	private async packageResult(aff: AppFabricationFulfillment): Promise<PackageResult> {
		const storageError = aff.getStorageError();
		const appUserError = aff.getAppUserError() as { username: string; message: string } | undefined;
		return {
			app: { ...(aff.getAppInfo() as unknown as PackageResult['app']) },
			implemented: aff.getImplementedInferfaces() as unknown as Record<string, boolean>,
			licenseValidation: aff.getLicenseValidationResult && aff.getLicenseValidationResult(),
			...(storageError ? { storageError } : {}),
			...(appUserError ? { appUserError: { username: appUserError.username, message: appUserError.message } } : {}),
		};
	}

	/**
	 * Runs an engine call that may spawn an app's Deno subprocess with the host's timings: APPS_ENGINE_RUNTIME_TIMEOUT
	 * (`runtimeTimeoutMs`, read at spawn) and the liveness check's (`liveness`, see liveness.ts).
	 */
	private async withRuntimeTimeout<T>(run: () => Promise<T>): Promise<T> {
		const runtimeTimeoutMs = this.runtimeTimeoutMs;
		const previousTimeout = process.env.APPS_ENGINE_RUNTIME_TIMEOUT;
		if (runtimeTimeoutMs !== undefined) {
			process.env.APPS_ENGINE_RUNTIME_TIMEOUT = String(runtimeTimeoutMs);
		}
		try {
			return this.liveness && isDenoEngine(this.engine) ? await withLivenessTimings(this.modules, this.liveness, run) : await run();
		} finally {
			if (runtimeTimeoutMs !== undefined) {
				if (previousTimeout === undefined) {
					delete process.env.APPS_ENGINE_RUNTIME_TIMEOUT;
				} else {
					process.env.APPS_ENGINE_RUNTIME_TIMEOUT = previousTimeout;
				}
			}
		}
	}

	async installExtra(zipPath: string): Promise<string> {
		this.assertLive();
		const counting = this.ctx.counting;
		// the install's own reads are not the app's
		this.ctx.counting = false;
		try {
			const appId = await this.add(zipPath);
			this.extraAppIds.push(appId);
			return appId;
		} finally {
			this.ctx.counting = counting;
		}
	}

	/** manager.add(zip, enable, permissions granted = declared), as a server after the admin's consent; the app's id */
	private async add(zipPath: string): Promise<string> {
		const zip = fs.readFileSync(zipPath);
		const parsed = await this.manager.getParser().unpackageApp(zip);
		const permissionsGranted = parsed.info.permissions;
		this.admin = await this.installingUser();
		const admin = this.admin;
		const aff = await this.withRuntimeTimeout(() => this.manager.add(zip, { enable: true, user: admin, permissionsGranted }));
		const app = aff.getApp();
		if (!app) {
			throw new Error(
				`test host: the engine did not install ${zipPath}: ${util.inspect(
					{
						storageError: aff.getStorageError(),
						appUserError: aff.getAppUserError(),
						license: aff.getLicenseValidationResult && aff.getLicenseValidationResult(),
					},
					{ depth: 4 },
				)}\n${this.logText()}`,
			);
		}
		return app.getID();
	}

	private async installingUser(): Promise<IUser> {
		const admin = this.ctx.db.users.find((u) => Array.isArray(u.roles) && u.roles.includes('admin'));
		const converted = admin ? this.ctx.converters.convertUserToApp(admin) : undefined;
		if (converted) {
			return converted as unknown as IUser;
		}
		return {
			id: 'host-admin',
			username: 'host.admin',
			name: 'Test Host Admin',
			roles: ['admin'],
			type: 'user',
			isEnabled: true,
			status: 'online',
			statusConnection: 'online',
			emails: [],
			utcOffset: 0,
			createdAt: new Date(),
			updatedAt: new Date(),
			lastLoginAt: new Date(),
			settings: { preferences: {} },
		} as unknown as IUser;
	}

	private assertLive(): void {
		if (this.stopped) {
			throw new Error('test host: stopped');
		}
		if (this.down) {
			throw new Error('test host: this instance is down');
		}
	}

	async call(path: string, request: ApiCallRequest): Promise<ApiResult> {
		this.assertLive();
		const routePath = path.trim().replace(/^\//, '');
		const appId = request.appId || this.appId;
		const routes = this.ctx.apis.get(appId);
		if (!routes || !routes.has(routePath)) {
			// the server's router (router.all for every registered path): no such endpoint -> res.sendStatus(404)
			return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, content: 'Not Found' };
		}
		const headers: Record<string, string> = {};
		const given = request.headers || {};
		for (const key of Object.keys(given)) {
			headers[key.toLowerCase()] = given[key];
		}
		// Nothing is refused here: Rocket.Chat hands the engine whatever its parsers made (an own `__proto__` key
		// included, which wedges the Deno engines' runtime: see test/server/wedge.test.ts).
		const user = request.userId ? await this.ctx.converters.convertUserById(request.userId) : undefined;
		const apiRequest = {
			method: request.method || 'get',
			headers,
			query: request.query || {},
			params: {},
			content: request.content,
			privateHash: undefined,
			user,
		} as unknown as IApiRequest;
		try {
			const response = await this.manager.getApiManager().executeApi(appId, routePath, apiRequest);
			if (!response || typeof response.status !== 'number') {
				throw new TypeError(`Cannot destructure property 'status' of '${util.inspect(response)}'`);
			}
			return toHttpResult(response);
		} catch (reason) {
			// the server's executor: .catch((reason) => res.status(500).send(reason.message))
			const message = reason instanceof Error ? reason.message : isPlainObject(reason) ? String(reason.message) : String(reason);
			return { status: 500, headers: { 'content-type': 'text/html; charset=utf-8' }, content: message };
		}
	}

	deniedPermissions(): Array<{ message: string; missing: string[] }> {
		return this.ctx.denied.slice();
	}

	slashCommands(): Array<{ command: string; appId: string; enabled: boolean }> {
		const commands: Array<{ command: string; appId: string; enabled: boolean }> = [];
		this.ctx.commands.forEach(({ appId, enabled }, command) => commands.push({ command, appId, enabled }));
		return commands;
	}

	registeredApis(appId: string = this.appId): Array<RegisteredApi> {
		const routes = this.ctx.apis.get(appId);
		return routes ? [...routes.values()].map((route) => ({ ...route })) : [];
	}

	registeredCommands(): Array<Record<string, unknown>> {
		return [...this.ctx.commands.values()].map(({ command }) => ({
			command: command.command,
			i18nParamsExample: command.i18nParamsExample,
			i18nDescription: command.i18nDescription,
			permission: command.permission,
			providesPreview: command.providesPreview,
		}));
	}

	async command(command: string, sender: CommandSender): Promise<CapturedMessage[]> {
		this.assertLive();
		const before = this.ctx.messages.length;
		const user = await this.ctx.converters.convertUserById(sender.userId);
		const room = await this.ctx.converters.convertRoomById(sender.roomId);
		const context = new this.modules.SlashCommandContext(
			Object.freeze(user) as unknown as IUser,
			Object.freeze(room) as unknown as IRoom,
			// Rocket.Chat freezes the params too, but the vm2 installed with 1.42.1 (3.12.x, newer than the 3.9.x
			// Rocket.Chat 6.x shipped) refuses a non-extensible array crossing into the sandbox.
			isDenoEngine(this.engine) ? (Object.freeze(sender.args.slice()) as string[]) : sender.args.slice(),
			sender.threadId,
		);
		try {
			await this.manager.getCommandManager().executeCommand(command, context);
		} catch (e) {
			// 1.62 rejects with the runtime's JsonRpcError (not an Error); 1.42 logs and swallows
			if (e instanceof Error) {
				throw e;
			}
			const error = new Error(isPlainObject(e) && e.message ? String(e.message) : String(e));
			(error as Error & { engineError?: unknown }).engineError = e;
			throw error;
		}
		return this.ctx.messages.slice(before);
	}

	async setSetting(id: string, value: unknown, appId: string = this.appId): Promise<void> {
		this.assertLive();
		const settingsManager = this.manager.getSettingsManager();
		const current = settingsManager.getAppSettings(appId)[id];
		if (!current) {
			throw new Error(`test host: the app has no setting "${id}"`);
		}
		await settingsManager.updateAppSetting(appId, { ...current, value });
	}

	appSettings(appId: string = this.appId): ReturnType<Host['appSettings']> {
		if (!appId || !this.manager.getOneById(appId)) {
			return {};
		}
		return { ...this.manager.getSettingsManager().getAppSettings(appId) } as unknown as ReturnType<Host['appSettings']>;
	}

	getSetting(id: string): unknown {
		const setting = this.manager.getSettingsManager().getAppSettings(this.appId)[id];
		return setting ? (setting.value !== undefined ? setting.value : setting.packageValue) : undefined;
	}

	logs(): LogRecord[] {
		return this.storages.logs
			.all()
			.filter((entry) => !this.appId || entry.appId === this.appId)
			.map((entry) => ({
				method: String(entry.method),
				entries: (entry.entries || []).map((e) => ({
					severity: String(e.severity),
					args: (Array.isArray(e.args) ? e.args : [e.args]).map((a) => readable(a)),
				})),
			}));
	}

	logText(): string {
		return this.logs()
			.map((record) =>
				record.entries
					.map(
						(e) =>
							`${record.method} ${e.severity}: ${e.args.map((a) => (typeof a === 'string' ? a : util.inspect(a, { depth: 4, breakLength: Infinity }))).join(' ')}`,
					)
					.join('\n'),
			)
			.filter((line) => line)
			.join('\n');
	}

	async closeAsAgent(rid: string, agentId: string): Promise<void> {
		const room = this.ctx.db.rooms.find((candidate) => candidate._id === rid);
		const user = this.ctx.db.users.find((candidate) => candidate._id === agentId);
		if (!user) {
			throw new Error(`test host: no user ${agentId}`);
		}
		await closeLivechatRoom(this.ctx, { room: room ? { ...room } : undefined, comment: '', user: { ...user } });
	}

	async status(): Promise<string> {
		const app = this.manager.getOneById(this.appId);
		return app ? String(await app.getStatus()) : 'not_installed';
	}

	runtimePid(appId: string = this.appId): number | undefined {
		const app = this.manager.getOneById(appId) as unknown as
			{ getRuntimeController?: () => unknown; getDenoRuntime?: () => unknown } | undefined;
		// 1.59+ name it getRuntimeController, 1.53 getDenoRuntime; vm2 engines have neither
		const getController = app && (app.getRuntimeController || app.getDenoRuntime);
		if (!app || typeof getController !== 'function') {
			return undefined;
		}
		const controller = getController.call(app) as { deno?: { pid?: number } } | undefined;
		return controller && controller.deno ? controller.deno.pid : undefined;
	}

	async stop(): Promise<void> {
		if (this.stopped) {
			return;
		}
		this.stopped = true;
		this.ctx.counting = false;
		const appIds = this.installedAppIds();
		const pids = appIds.map((appId) => this.runtimePid(appId));
		try {
			for (const appId of appIds) {
				if (this.manager.getOneById(appId)) {
					await this.manager.remove(appId, { user: this.admin as IUser });
				}
			}
		} finally {
			this.release();
			await waitForAll(pids);
		}
	}

	/** the extra apps (newest first), then the host's app */
	private installedAppIds(): string[] {
		return this.extraAppIds
			.slice()
			.reverse()
			.concat(this.appId ? [this.appId] : []);
	}

	/** cleans up after a failed start */
	async abort(): Promise<void> {
		const appIds = this.installedAppIds();
		const pids = appIds.map((appId) => this.runtimePid(appId));
		this.stopped = true;
		try {
			for (const appId of appIds) {
				if (this.manager.getOneById(appId)) {
					await this.manager.remove(appId, { user: this.admin as IUser }).catch(() => undefined);
				}
			}
			await this.manager.unload(true).catch(() => undefined);
		} finally {
			this.release();
			await waitForAll(pids);
		}
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Waits for the app's Deno subprocess to be gone; kills it (by its pid: the engine spawned it for us) if it lingers. */
async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (isAlive(pid) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	if (isAlive(pid)) {
		process.kill(pid, 'SIGKILL');
	}
}

function waitForAll(pids: Array<number | undefined>): Promise<void[]> {
	return Promise.all(pids.filter((pid): pid is number => pid !== undefined).map((pid) => waitForExit(pid)));
}

/**
 * What a host changes in this process while it lives, for every AppManager in it: NODE_ENV (the engine skips every
 * permission check under 'test'), the permission-denial recorder, the vm2 module layout and cwd, or the Deno
 * runtime's PATH and cache. Returns the undo and, for Deno engines, the `tempFilePath`.
 */
export async function prepareProcess(
	modules: EngineModules,
	contexts: ReadonlyArray<HostContext>,
): Promise<{ restore: () => void; tempFilePath: string | undefined }> {
	let tempFilePath: string | undefined;
	const restorers: Array<() => void> = [];
	const restore = (): void => {
		while (restorers.length) {
			(restorers.pop() as () => void)();
		}
	};

	// The engine skips every permission check when NODE_ENV is 'test' (jest's default): run as a server does.
	const nodeEnv = process.env.NODE_ENV;
	process.env.NODE_ENV = 'production';
	restorers.push(() => {
		if (nodeEnv === undefined) {
			delete process.env.NODE_ENV;
		} else {
			process.env.NODE_ENV = nodeEnv;
		}
	});
	// Record the permission denials the engine reports (it drops the call and console.errors the reason).
	const permissions = modules.AppPermissionManager;
	const notifyAboutError = permissions.notifyAboutError;
	permissions.notifyAboutError = function recordDenial(this: unknown, err: Error): void {
		const message = err && err.message ? String(err.message) : String(err);
		// "... lacks the following permissions:\n["message.write", ...]. Declare them in your app.json ..."
		const list = /permissions:\s*\[([^\]]*)\]/.exec(message);
		const denial = { message, missing: list ? (list[1].match(/"[^"]+"/g) || []).map((m) => m.slice(1, -1)) : [] };
		contexts.forEach((ctx) => ctx.denied.push(denial));
		return notifyAboutError.call(this, err);
	};
	restorers.push(() => {
		permissions.notifyAboutError = notifyAboutError;
	});

	try {
		if (!isDenoEngine(modules.name)) {
			// vm2 resolves the app's require('@rocket.chat/apps-engine/...') from <cwd>/npm/node_modules
			const dir = prepareVm2Layout(modules);
			const previous = process.cwd();
			process.chdir(dir);
			restorers.push(() => process.chdir(previous));
		} else {
			useDenoRuntime(await prepareDenoRuntime(modules.name));
			tempFilePath = prepareTempFilePath(modules.name);
		}
	} catch (e) {
		restore();
		throw e;
	}
	return { restore, tempFilePath };
}

/**
 * A new AppManager over the context's bridges and its own storages. The engine keeps the last one constructed as
 * `AppManager.Instance` (its permission checks read it at call time: see cluster.ts).
 */
export function newAppManager(
	modules: EngineModules,
	ctx: HostContext,
	storages: HostStorages,
	tempFilePath: string | undefined,
): AppManager {
	clearAppManagerSingleton(modules);
	const manager = new modules.AppManager({
		metadataStorage: storages.metadata,
		logStorage: storages.logs,
		bridges: createAppBridges(ctx),
		sourceStorage: storages.source,
		tempFilePath: tempFilePath as string,
	});
	ctx.manager = manager;
	return manager;
}

/** An instance of the host around a manager; `install` it next. Not exported from the package: see startHost/startCluster. */
export function newHostInstance(
	engine: EngineName,
	modules: EngineModules,
	ctx: HostContext,
	manager: AppManager,
	storages: HostStorages,
	release: () => void,
): HostImpl {
	return new HostImpl(engine, modules, ctx, manager, storages, release);
}

export type { HostImpl };

/** Marks the engine's AppManager as taken by a host (or a cluster) until `release` runs. */
export function claimEngine(engine: EngineName, what: string): () => void {
	if (liveHosts.has(engine)) {
		throw new Error(`test host: a ${engine} host is still running (AppManager is a singleton): stop() it first`);
	}
	// The engine spawns (and respawns) the bare `deno` of PATH: one Deno engine per process at a time.
	const otherDeno = [...liveHosts.keys()].find((name) => name !== engine && isDenoEngine(name) && isDenoEngine(engine));
	if (otherDeno) {
		throw new Error(`test host: a ${otherDeno} host is running; ${otherDeno} and ${engine} need different Deno binaries on PATH`);
	}
	const token = { what };
	liveHosts.set(engine, token);
	return () => {
		if (liveHosts.get(engine) === token) {
			liveHosts.delete(engine);
		}
	};
}

export async function startHost(options: HostOptions): Promise<Host> {
	const releaseEngine = claimEngine(options.engine, 'host');
	let modules: EngineModules;
	let ctx: HostContext;
	let storages: HostStorages;
	let prepared: { restore: () => void; tempFilePath: string | undefined };
	try {
		modules = await loadEngine(options.engine);
		ctx = createContext(modules, options.data);
		storages = createStorages(modules, { logRetention: options.logRetention });
		prepared = await prepareProcess(modules, [ctx]);
	} catch (e) {
		releaseEngine();
		throw e;
	}
	const release = (): void => {
		clearAppManagerSingleton(modules);
		releaseEngine();
		prepared.restore();
	};
	let manager: AppManager;
	try {
		manager = newAppManager(modules, ctx, storages, prepared.tempFilePath);
	} catch (e) {
		release();
		throw e;
	}
	const host = new HostImpl(options.engine, modules, ctx, manager, storages, release);
	try {
		await host.install(options.zipPath, options.runtimeTimeoutMs, options.liveness);
	} catch (e) {
		await host.abort();
		throw e;
	}
	return host;
}
