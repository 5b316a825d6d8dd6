/**
 * The pages a reader follows: README.md and docs/*.md. Their relative links and `#anchors` are checked by
 * ./links.test.ts; anchors are made as GitHub makes them (github-slugger: lower case, punctuation but `-` and `_`
 * dropped, spaces to `-`, a repeated heading gets `-1`, `-2`, …).
 */
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../../tools/package';

export const DOCS_DIR = path.join(ROOT, 'docs');

/** README.md and every page of docs/, as paths relative to the repository. */
export function pages(): string[] {
	const docs = fs
		.readdirSync(DOCS_DIR)
		.filter((name) => name.endsWith('.md'))
		.sort()
		.map((name) => `docs/${name}`);
	return ['README.md', ...docs];
}

export function readPage(page: string): string {
	return fs.readFileSync(path.join(ROOT, page), 'utf8');
}

/** The text outside fenced code blocks (links and headings inside them are code, not markdown). */
export function prose(markdown: string): string {
	const out: string[] = [];
	let fenced = false;
	for (const line of markdown.split('\n')) {
		if (/^\s*```/.test(line)) {
			fenced = !fenced;
			out.push('');
			continue;
		}
		out.push(fenced ? '' : line);
	}
	return out.join('\n');
}

/** A heading's text as GitHub shows it: inline code marks, bold and link syntax removed. */
function headingText(raw: string): string {
	return raw
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/`/g, '')
		.replace(/\*\*(.+?)\*\*/g, '$1')
		.trim();
}

export function slug(text: string): string {
	return headingText(text)
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** Every anchor a page offers: its headings' slugs, repeated ones numbered. */
export function anchors(markdown: string): Set<string> {
	const seen = new Map<string, number>();
	const out = new Set<string>();
	for (const line of prose(markdown).split('\n')) {
		const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
		if (!heading) {
			continue;
		}
		const base = slug(heading[1]);
		const count = seen.get(base) || 0;
		seen.set(base, count + 1);
		out.add(count === 0 ? base : `${base}-${count}`);
	}
	return out;
}

export interface Link {
	readonly page: string;
	readonly line: number;
	readonly target: string;
}

/** Inline links `[text](target)` outside code: the relative ones (no scheme, no `mailto:`). */
export function relativeLinks(page: string, markdown: string): Link[] {
	const links: Link[] = [];
	prose(markdown)
		.split('\n')
		.forEach((text, index) => {
			// inline code can hold brackets that are no link
			const line = text.replace(/`[^`]*`/g, '``');
			for (const match of line.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
				const target = match[1];
				if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) {
					links.push({ page, line: index + 1, target });
				}
			}
		});
	return links;
}

/** Why a link does not resolve, or undefined when it does. */
export function brokenReason(link: Link): string | undefined {
	const [file, anchor] = link.target.split('#', 2);
	const resolved = file ? path.normalize(path.join(path.dirname(link.page), file)) : link.page;
	const absolute = path.join(ROOT, resolved);
	if (!absolute.startsWith(ROOT + path.sep) || !fs.existsSync(absolute)) {
		return `${resolved} does not exist`;
	}
	if (anchor === undefined) {
		return undefined;
	}
	if (!resolved.endsWith('.md')) {
		return `${resolved} is not a page: it has no anchors`;
	}
	return anchors(fs.readFileSync(absolute, 'utf8')).has(anchor) ? undefined : `${resolved} has no heading #${anchor}`;
}
