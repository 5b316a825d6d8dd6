/** CONTRACT §4: what the app declares, in app.json and in the packaged zip `npm run package` makes. */
import { describe, expect, it } from '@jest/globals';
import AdmZip from 'adm-zip';
import * as fs from 'fs';
import * as path from 'path';

import { ROOT, zipPath } from '../../tools/package';

interface AppJson {
	id: string;
	nameSlug: string;
	classFile: string;
	iconFile: string;
	requiredApiVersion: string;
	permissions: Array<{ name: string }>;
}

const PERMISSIONS = [
	'api',
	'slashcommand',
	'room.read',
	'user.read',
	'livechat-visitor.read',
	'livechat-room.read',
	'livechat-room.write',
	'message.write',
	// the creation claims shared by every instance of a cluster (docs/cluster.md)
	'persistence',
];

describe('app.json', () => {
	const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as AppJson;

	it('has a uuid v4 id, a slug, the class and icon files and the oldest tested engine', () => {
		expect(app.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(app.nameSlug).toMatch(/^[a-z]+(-[a-z]+)*$/);
		expect([app.classFile, app.iconFile, app.requiredApiVersion]).toEqual(['VoipRoomApp.ts', 'icon.png', '^1.42.0']);
	});

	it('asks for exactly the permissions the app uses', () => {
		expect(app.permissions.map((p) => p.name)).toEqual(PERMISSIONS);
	});

	it('keeps the engine range the packager copies into requiredApiVersion at ^1.42.0', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
		expect(pkg.devDependencies['@rocket.chat/apps-engine']).toBe('^1.42.0');
	});

	it('has an icon of at least 128×128', () => {
		const png = fs.readFileSync(path.join(ROOT, app.iconFile));
		expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
		expect([png.readUInt32BE(16) >= 128, png.readUInt32BE(20) >= 128]).toEqual([true, true]);
	});
});

describe('the packaged zip', () => {
	const zip = new AdmZip(zipPath());
	const names = zip
		.getEntries()
		.map((entry) => entry.entryName)
		.sort();

	it('holds the compiled app and its assets, nothing of test/ and no TypeScript', () => {
		expect(names.filter((name) => name.startsWith('test/') || name.endsWith('.ts') || name.startsWith('node_modules/'))).toEqual([]);
		expect(names).toEqual(
			expect.arrayContaining([
				'VoipRoomApp.js',
				'app.json',
				'icon.png',
				'endpoints/VoipRoomEndpoint.js',
				'lib/handler.js',
				'i18n/en.json',
				'i18n/pt-BR.json',
				'i18n/es.json',
				'i18n/de.json',
			]),
		);
	});

	it('declares requiredApiVersion ^1.42.0 and only the permissions the app uses', () => {
		const packaged = JSON.parse(zip.readAsText('app.json')) as AppJson;
		expect([packaged.requiredApiVersion, packaged.permissions.map((p) => p.name)]).toEqual(['^1.42.0', PERMISSIONS]);
	});
});
