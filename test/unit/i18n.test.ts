import { describe, expect, it } from '@jest/globals';
import * as fs from 'fs';
import * as path from 'path';

import { pickLocale, translator } from '../../lib/i18n';
import { settings } from '../../lib/settings';
import { catalog } from '../../lib/i18nCatalog';
import { CATALOG_PATH, catalogData, readLocales } from '../../tools/i18n';

const ROOT = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): Array<string> {
	return fs.readdirSync(dir, { withFileTypes: true }).reduce<Array<string>>((files, entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			return files.concat(sourceFiles(full));
		}
		return entry.name.endsWith('.ts') && full !== CATALOG_PATH ? files.concat(full) : files;
	}, []);
}

/** Every i18n key the app's code names: message keys as string literals, setting labels and descriptions. */
function keysUsedInCode(): Set<string> {
	const used = new Set<string>();
	const files = [path.join(ROOT, 'VoipRoomApp.ts'), ...sourceFiles(path.join(ROOT, 'lib')), ...sourceFiles(path.join(ROOT, 'endpoints'))];
	for (const file of files) {
		const text = fs.readFileSync(file, 'utf8');
		for (const match of text.match(/'voiproom_[a-z_]+'/g) || []) {
			used.add(match.slice(1, -1));
		}
	}
	for (const setting of settings) {
		used.add(setting.i18nLabel);
		used.add(setting.i18nDescription as string);
	}
	return used;
}

describe('i18n', () => {
	const locales = readLocales();

	it('ships en, pt-BR, es and de', () => {
		expect(Object.keys(locales).sort()).toEqual(['de', 'en', 'es', 'pt-BR']);
	});

	it('has every key the code uses in every locale, and no key nothing uses', () => {
		const used = [...keysUsedInCode()].sort();
		expect(used.length).toBeGreaterThan(30);
		for (const locale of Object.keys(locales)) {
			const keys = Object.keys(locales[locale]).sort();
			expect({ locale, keys }).toEqual({ locale, keys: used });
			for (const key of keys) {
				expect([locale, key, locales[locale][key].trim().length > 0]).toEqual([locale, key, true]);
			}
		}
	});

	it('keeps the same placeholders in every translation', () => {
		for (const key of Object.keys(locales.en)) {
			const names = (text: string) => (text.match(/\{\w+\}/g) || []).sort();
			for (const locale of Object.keys(locales)) {
				expect([locale, key, names(locales[locale][key])]).toEqual([locale, key, names(locales.en[key])]);
			}
		}
	});

	it('has a run-time catalog generated from the current i18n files (`npm run i18n`)', () => {
		expect(catalog).toEqual(catalogData(locales));
	});

	it.each<[string | undefined, string]>([
		[undefined, 'en'],
		['', 'en'],
		['en', 'en'],
		['pt-BR', 'pt-BR'],
		['pt', 'pt-BR'],
		['pt_BR', 'pt-BR'],
		['de-AT', 'de'],
		['es', 'es'],
		['fr', 'en'],
	])('picks the locale for %j: %s', (language, locale) => {
		expect(pickLocale(language)).toBe(locale);
	});

	it('fills placeholders and leaves unknown ones', () => {
		expect(translator('pt-BR')('voiproom_error_unknown_room', { rid: 'X1' })).toBe('Não existe sala com o id X1.');
		expect(translator('de')('voiproom_error_unknown_room')).toBe('Es gibt keinen Raum mit der ID {rid}.');
	});
});
