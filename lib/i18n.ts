import type { MessageKey } from './i18nCatalog';
import { catalog } from './i18nCatalog';
import { hasOwn } from './objects';

export type { MessageKey };
export type Translate = (key: MessageKey, params?: { readonly [name: string]: string }) => string;

export const DEFAULT_LOCALE = 'en';

/** The shipped locale for a user's language preference: exact (`pt-BR`), else by language (`pt`, `de-AT`), else English. */
export function pickLocale(language: string | undefined): string {
	if (!language) {
		return DEFAULT_LOCALE;
	}
	const wanted = language.replace('_', '-').toLowerCase();
	const locales = Object.keys(catalog);
	const exact = locales.find((locale) => locale.toLowerCase() === wanted);
	if (exact) {
		return exact;
	}
	const base = wanted.split('-')[0];
	return locales.find((locale) => locale.toLowerCase().split('-')[0] === base) || DEFAULT_LOCALE;
}

/** Texts in the user's language, `{name}` placeholders filled; a key a locale lacks falls back to English. */
export function translator(language: string | undefined): Translate {
	const messages = catalog[pickLocale(language)];
	const english = catalog[DEFAULT_LOCALE];
	return (key, params = {}) => {
		const template = messages[key] || english[key] || key;
		return template.replace(/\{(\w+)\}/g, (match: string, name: string) => (hasOwn(params, name) ? params[name] : match));
	};
}
