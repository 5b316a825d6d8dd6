/**
 * The part of Rocket.Chat's apps REST API that `rc-apps deploy` (and an admin's upload in Administration → Apps →
 * Private Apps) uses, modelled on apps/meteor/ee/server/apps/communication/rest.ts (`AppsRestApi`), installing and
 * updating in the stand-in's running engine (the Host of test/engine/host):
 *
 *   GET  /api/apps/:id            manage-apps; the installed app (formatAppInstanceForRest), else 404
 *                                 `No App found by the id of: <id>`
 *   POST /api/apps                manage-apps; multipart `app` (the zip) and optional `permissions` (JSON, what the
 *                                 admin consented to) → manager.add(zip, { permissionsGranted, enable: false, user }),
 *                                 then changeStatus(manually_enabled) → `{ app, implemented, licenseValidation }`
 *   POST /api/apps/:id            manage-apps; the same upload → manager.update(zip, permissionsGranted, { user,
 *                                 loadApp: true }): in place, settings kept, the endpoints answer from the new code.
 *                                 As in Rocket.Chat, the app updated is the one the zip names, not `:id`.
 *   GET  /api/apps/:id/settings   manage-apps; the app's settings but the hidden ones
 *   POST /api/apps/:id/settings   manage-apps; `{ settings: [{ id, value }, …] }`, each changed one through the
 *                                 engine's settings manager → `{ updated }`
 *
 * Every route: authRequired (401), permissionsRequired manage-apps (403), an exception → 400 with its message (a
 * zip the engine cannot read: the engine's reason, nothing changed).
 *
 * Left out (docs/development.md, "The stand-in's apps API", lists them too): URL and Marketplace installs (a 400); licence
 * limits (it behaves as a licensed workspace: no private-app limit from canEnableApp, no `Cannot_Update_Exempt_App`,
 * no Cloud `private_app_install_disabled`); permissions other than the default mapping manage-apps → admin; the
 * REST rate limiter and 2FA; settings changed by value only (Rocket.Chat stores the whole object the client sends);
 * the other /api/apps routes (installed, DELETE, status, logs, marketplace, …): 404.
 */
import type { IncomingMessage, ServerResponse } from 'http';

import type { Host, PackageOptions, PackageResult, RcData, RcUser } from '../engine/host';
import { isAccountsRoute, requestUser, serveAccounts } from './accounts';
import { getUploadFormData } from './formData';
import type { RestAnswer } from './restApi';
import {
	answerForError,
	failure,
	failureObject,
	hasPermission,
	internalError,
	lacksPermission,
	mediaType,
	notFound,
	notLoggedIn,
	readJsonBody,
	sendAnswer,
	sendSuccess,
} from './restApi';

export interface AppsContext {
	readonly host: Host;
	readonly db: RcData;
	readonly engine: Host['engine'];
	log(line: string): void;
}

const APPS_ROUTE = /^\/api\/apps(?:\/([^/]+))?(?:\/(settings))?\/?$/i;

export function isAppsApiRoute(pathname: string): boolean {
	return APPS_ROUTE.test(pathname);
}

/** The multipart field `permissions`, read as rest.ts reads it (anything but a non-empty array-like: undefined). */
function grantedPermissions(fields: Record<string, string>): PackageOptions['permissionsGranted'] {
	try {
		const permissions = JSON.parse(fields.permissions || '') as { length?: number };
		return permissions.length ? (permissions as PackageOptions['permissionsGranted']) : undefined;
	} catch {
		return undefined;
	}
}

/** The zip of an upload; JSON bodies asking for a URL or Marketplace install are refused (not modelled). */
async function uploadedPackage(req: IncomingMessage): Promise<{ zip: Buffer; permissionsGranted: PackageOptions['permissionsGranted'] }> {
	const type = mediaType(req);
	if (type === 'application/json' || type === 'application/x-www-form-urlencoded') {
		const body = await readJsonBody(req);
		if (body.url || body.marketplace || body.appId) {
			throw failure(
				'The stand-in installs uploaded packages only (multipart field "app"): url and Marketplace installs are not modelled',
			);
		}
	}
	const form = await getUploadFormData(req, { field: 'app' });
	return { zip: form.fileBuffer, permissionsGranted: grantedPermissions(form.fields) };
}

/** rest.ts after manager.add/update: a storage or app-user error is a 400 failure with `status` and `messages`. */
function fabricationFailure(result: PackageResult, withErrorCode: boolean): RestAnswer | undefined {
	if (result.storageError) {
		return failureObject({
			...(withErrorCode ? { error: 'app_storage_error' } : {}),
			status: 'storage_error',
			messages: [result.storageError],
		});
	}
	if (result.appUserError) {
		return failureObject({
			...(withErrorCode ? { error: 'app_user_error' } : {}),
			status: 'app_user_error',
			messages: [result.appUserError.message],
			payload: { username: result.appUserError.username },
		});
	}
	return undefined;
}

async function install(ctx: AppsContext, req: IncomingMessage, res: ServerResponse, user: RcUser, update: boolean): Promise<void> {
	const { zip, permissionsGranted } = await uploadedPackage(req);
	const options: PackageOptions = { userId: user._id, permissionsGranted };
	const result = update ? await ctx.host.update(zip, options) : await ctx.host.installPackage(zip, options);
	const refused = fabricationFailure(result, !update);
	if (refused) {
		throw refused;
	}
	ctx.log(
		`  ${update ? 'updated' : 'installed'} ${result.app.name} ${result.app.version} (${result.app.id}): ${String(result.app.status)}`,
	);
	sendSuccess(req, res, { app: result.app, implemented: result.implemented, licenseValidation: result.licenseValidation });
}

async function settingsRoute(ctx: AppsContext, req: IncomingMessage, res: ServerResponse, appId: string): Promise<void> {
	if (!(await ctx.host.installedApp(appId))) {
		req.resume();
		throw notFound(`No App found by the id of: ${appId}`);
	}
	const settings = ctx.host.appSettings(appId);
	if (req.method === 'GET') {
		const visible: Record<string, unknown> = {};
		for (const id of Object.keys(settings)) {
			if (!settings[id].hidden) {
				visible[id] = settings[id];
			}
		}
		sendSuccess(req, res, { settings: JSON.parse(JSON.stringify(visible)) as Record<string, unknown> });
		return;
	}
	const body = await readJsonBody(req);
	if (!Array.isArray(body.settings)) {
		throw failure('The settings to update must be present.');
	}
	const updated: unknown[] = [];
	for (const given of body.settings as Array<{ id?: unknown; value?: unknown }>) {
		const id = given && typeof given.id === 'string' ? given.id : undefined;
		if (id && settings[id] && settings[id].value !== given.value) {
			await ctx.host.setSetting(id, given.value, appId);
			updated.push(given);
		}
	}
	sendSuccess(req, res, { updated });
}

/** Serves the routes above; returns the authenticated user (for the request log). */
export async function serveAppsApi(
	ctx: AppsContext,
	req: IncomingMessage,
	res: ServerResponse,
	pathname: string,
): Promise<RcUser | undefined> {
	const [, rawId, sub] = APPS_ROUTE.exec(pathname) || [];
	const appId = rawId === undefined ? undefined : decodeURIComponent(rawId);
	const method = req.method || 'GET';
	const user = requestUser(ctx.db, req);
	try {
		const allowed = sub ? ['GET', 'POST'] : appId === undefined ? ['POST'] : ['GET', 'POST'];
		if (!allowed.includes(method)) {
			req.resume();
			throw notFound('Not found');
		}
		if (!user) {
			throw notLoggedIn(ctx.engine);
		}
		if (!hasPermission(user, 'manage-apps')) {
			throw lacksPermission(ctx.engine);
		}
		if (sub) {
			await settingsRoute(ctx, req, res, appId as string);
		} else if (appId === undefined || method === 'POST') {
			await install(ctx, req, res, user, appId !== undefined);
		} else if (new URLSearchParams((req.url || '').split('?')[1] || '').get('marketplace')) {
			// a workspace that cannot reach the Marketplace (handleError without a response)
			throw internalError('Could not reach the Marketplace');
		} else {
			const app = await ctx.host.installedApp(appId);
			if (!app) {
				throw notFound(`No App found by the id of: ${appId}`);
			}
			sendSuccess(req, res, { app: JSON.parse(JSON.stringify(app)) as Record<string, unknown> });
		}
	} catch (e) {
		const answer = answerForError(e);
		if (answer.status === 400) {
			ctx.log(`  ${req.method} ${pathname} refused: ${String(answer.body.error || answer.body.status)}`);
		}
		sendAnswer(req, res, answer);
	}
	return user;
}

/** The routes `rc-apps deploy` needs besides /api/info: login, me, logout (./accounts.ts) and the apps API above. */
export function isDeployRoute(pathname: string): boolean {
	return isAccountsRoute(pathname) || isAppsApiRoute(pathname);
}

export function serveDeployRoute(
	ctx: AppsContext,
	req: IncomingMessage,
	res: ServerResponse,
	pathname: string,
): Promise<RcUser | undefined> {
	return isAccountsRoute(pathname) ? serveAccounts(ctx.db, ctx.engine, req, res, pathname) : serveAppsApi(ctx, req, res, pathname);
}
