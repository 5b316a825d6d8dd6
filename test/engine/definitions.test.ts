/**
 * Issue 18: the app's own files type-check, with the project's tsconfig, against the definitions of every
 * definitions-only row of the engine table (the apps-engine of Rocket.Chat 8.7 and 8.8, which no test can run).
 * A definitions change that breaks the app fails here.
 */
import { describe, expect, it } from '@jest/globals';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { ROOT } from '../../tools/package';
import type { TableName } from './engines';
import { ALL_ENGINES, DEFINITION_ROWS, TABLE, TABLE_NAMES } from './engines';
import type { TypeCheckResult } from './typecheck';
import { appSourceFiles, typeCheckAgainst } from './typecheck';

describe('the engine table', () => {
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

	it.each(TABLE_NAMES)('row %s is its exact version, an npm alias in devDependencies (the packager one stays ^1.42.0)', (name) => {
		const row = TABLE[name];
		expect(row.version.split('.').slice(0, 2).join('.')).toBe(name);
		const expected = row.packageName === '@rocket.chat/apps-engine' ? '^1.42.0' : `npm:@rocket.chat/apps-engine@${row.version}`;
		expect(pkg.devDependencies[row.packageName]).toBe(expected);
	});

	it('lists the definitions rows 1.65 (Rocket.Chat 8.7) and 1.66 (8.8), none of them runnable, with the converters of 8.7+', () => {
		expect(
			DEFINITION_ROWS.map((name) => [name, TABLE[name].version, TABLE[name].rocketChat, TABLE[name].runtime, TABLE[name].converters]),
		).toEqual([
			['1.65', '1.65.1', '8.7', 'definitions', '8.7+'],
			['1.66', '1.66.0', '8.8', 'definitions', '8.7+'],
		]);
		expect(ALL_ENGINES.map((name) => TABLE[name].converters)).toEqual(ALL_ENGINES.map(() => 'before-8.7'));
	});
});

describe('the app type-checks against the definitions of each definitions row', () => {
	/**
	 * Proof that the check can fail, compiled in the same program as the app: a snippet that uses what only 1.65+
	 * declares (IUserRead.getBySipExtension). It must fail against 1.62 (the definitions of the runnable row of
	 * Rocket.Chat 8.4) and pass against 1.65 and 1.66.
	 */
	const snippet = [
		"import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';",
		'',
		'export async function sipUserId(read: IRead): Promise<string | undefined> {',
		"\treturn (await read.getUserReader().getBySipExtension('100'))?.id;",
		'}',
		'',
	].join('\n');
	const results = new Map<TableName, TypeCheckResult>();
	const checked = (name: TableName): TypeCheckResult => {
		let result = results.get(name);
		if (!result) {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiproom-typecheck-'));
			try {
				const file = path.join(dir, 'sip.ts');
				fs.writeFileSync(file, snippet);
				result = typeCheckAgainst(name, [file]);
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
			results.set(name, result);
		}
		return result;
	};
	const ofSnippet = (result: TypeCheckResult) =>
		result.diagnostics.filter((line) => /sip\.ts:/.test(line)).map((line) => line.replace(/^.*sip\.ts:/, 'sip.ts:'));
	const ofApp = (result: TypeCheckResult) => result.diagnostics.filter((line) => !/sip\.ts:/.test(line));

	it('checks the app files of the package (VoipRoomApp.ts, endpoints/, lib/), no test file', () => {
		const files = appSourceFiles().map((file) => path.relative(ROOT, file));
		expect(files).toContain('VoipRoomApp.ts');
		expect(files).toContain(path.join('endpoints', 'VoipRoomEndpoint.ts'));
		expect(files).toContain(path.join('lib', 'handler.ts'));
		expect(files.filter((file) => !/^(VoipRoomApp\.ts|endpoints\/|lib\/)/.test(file))).toEqual([]);
	});

	it.each(DEFINITION_ROWS)('%s: no diagnostic in the app, and every apps-engine declaration read is that row’s', (name) => {
		const result = checked(name);
		expect(ofApp(result)).toEqual([]);
		expect(result.resolvedVersion).toBe(TABLE[name].version);
		expect(result.engineFiles.length).toBeGreaterThan(50);
		expect(result.engineFiles.filter((file) => !file.startsWith(`${TABLE[name].packageName}${path.sep}definition${path.sep}`))).toEqual(
			[],
		);
	});

	it.each(DEFINITION_ROWS)('%s: the 1.65+ snippet passes', (name) => {
		expect(ofSnippet(checked(name))).toEqual([]);
	});

	it('it can fail: against 1.62 the snippet fails with the compiler’s diagnostic (the app itself passes there too)', () => {
		const result = checked('1.62');
		expect(ofSnippet(result)).toEqual(["sip.ts:4:37 TS2339: Property 'getBySipExtension' does not exist on type 'IUserRead'."]);
		expect(ofApp(result)).toEqual([]);
	});
});
