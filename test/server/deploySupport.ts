/**
 * What the apps-API and deploy tests share: logging in over REST, uploading a package as Administration → Apps →
 * Private Apps does (multipart `app` + `permissions`, with Node's own fetch/FormData), a copy of the packaged zip
 * with another version, and a copy of the app folder with another version (for `rc-apps deploy`).
 */
import AdmZip from 'adm-zip';
import * as fs from 'fs';
import * as path from 'path';

import { ENGINE_TABLE } from '../engine/engines';
import type { EngineName, RcData, RcUser } from '../engine/host';
import { APP_FILES, ROOT, zipPath } from '../../tools/package';
import { setPassword } from './accounts';
import { demoData, DEMO } from './demo';

export const APP_ID = '2c6d81eb-0039-41a3-9399-92fd3df46d00';

/** Whether the engine stands for Rocket.Chat 8.0 or later, which dropped the pre-8 compatibility fields of its REST answers. */
export function from8(engine: EngineName): boolean {
	return Number(ENGINE_TABLE[engine].rocketChat.split('.')[0]) >= 8;
}

/** sam.wise, livechat manager (no manage-apps), with a password for these tests */
export const NOT_ADMIN = { username: 'sam.wise', password: 'sam-wise-password' };
export const ADMIN = { username: DEMO.adminUsername, password: DEMO.adminPassword };

/** The demo data, where sam.wise can log in too. */
export function deployData(): RcData {
	const data = demoData();
	setPassword(data.users.find((user) => user.username === NOT_ADMIN.username) as RcUser, NOT_ADMIN.password);
	return data;
}

export interface Session {
	userId: string;
	token: string;
}

export interface Answer {
	status: number;
	body: Record<string, unknown>;
}

async function answer(res: Response): Promise<Answer> {
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function login(url: string, who: { username: string; password: string }): Promise<Session> {
	const res = await fetch(`${url}/api/v1/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username: who.username, password: who.password }),
	});
	const body = (await res.json()) as { data: { userId: string; authToken: string } };
	if (res.status !== 200) {
		throw new Error(`login of ${who.username}: ${res.status} ${JSON.stringify(body)}`);
	}
	return { userId: body.data.userId, token: body.data.authToken };
}

export function headers(session: Session): Record<string, string> {
	return { 'X-User-Id': session.userId, 'X-Auth-Token': session.token };
}

/** POST /api/apps (install) or /api/apps/:id (update) with the multipart body rc-apps and the admin UI send. */
export async function upload(
	url: string,
	session: Session,
	zip: Buffer,
	options: { appId?: string; permissions?: unknown } = {},
): Promise<Answer> {
	const form = new FormData();
	form.append('app', new Blob([zip], { type: 'application/zip' }), 'voiproom.zip');
	if (options.permissions !== undefined) {
		form.append('permissions', JSON.stringify(options.permissions));
	}
	const target = options.appId ? `${url}/api/apps/${options.appId}` : `${url}/api/apps`;
	return answer(await fetch(target, { method: 'POST', headers: headers(session), body: form }));
}

export async function getJson(url: string, session?: Session): Promise<Answer> {
	return answer(await fetch(url, { headers: session ? headers(session) : {} }));
}

export async function postJson(url: string, session: Session, body: unknown): Promise<Answer> {
	return answer(
		await fetch(url, {
			method: 'POST',
			headers: { ...headers(session), 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		}),
	);
}

/** The packaged app's declared permissions (what the consent screen lists, what rc-apps sends as `permissions`). */
export function declaredPermissions(): Array<{ name: string }> {
	return (JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { permissions: Array<{ name: string }> }).permissions;
}

/** The packaged zip with another `version` in its app.json (no compile: the engine reads app.json from the zip). */
export function zipWithVersion(version: string): Buffer {
	const zip = new AdmZip(zipPath());
	const info = JSON.parse(zip.readAsText('app.json')) as Record<string, unknown>;
	zip.updateFile('app.json', Buffer.from(JSON.stringify({ ...info, version }, null, 4)));
	return zip.toBuffer();
}

/**
 * A copy of the app's folder (its APP_FILES) with app.json's `version` set, and package.json changed by `pkg`;
 * under test/.cache (removed by the caller).
 */
export function appCopy(version: string, pkg?: (json: Record<string, unknown>) => void): string {
	const base = path.join(ROOT, 'test', '.cache', 'deploy');
	fs.mkdirSync(base, { recursive: true });
	const dir = fs.mkdtempSync(path.join(base, `app-${version}-`));
	for (const name of APP_FILES) {
		fs.cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
	}
	const appJson = path.join(dir, 'app.json');
	fs.writeFileSync(appJson, JSON.stringify({ ...(JSON.parse(fs.readFileSync(appJson, 'utf8')) as object), version }, null, '\t'));
	if (pkg) {
		const file = path.join(dir, 'package.json');
		const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
		pkg(json);
		fs.writeFileSync(file, JSON.stringify(json, null, 2));
	}
	return dir;
}

/** The entries of a zip (name → bytes), but the packager's stamp `.packagedby` (it holds the time of packaging). */
export function zipContents(zip: Buffer): Record<string, string> {
	const out: Record<string, string> = {};
	for (const entry of new AdmZip(zip).getEntries()) {
		if (!entry.isDirectory && entry.entryName !== '.packagedby') {
			out[entry.entryName] = entry.getData().toString('base64');
		}
	}
	return out;
}
