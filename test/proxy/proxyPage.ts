/**
 * The proxy configurations of docs/original-urls.md ("Keep the original URLs"): the single source that the proxy
 * tests and `npm start -- --proxy` run, verbatim but for the two ports. A block that drifts from what is tested cannot
 * exist: the page must hold exactly the blocks read here, each naming the proxy's port and Rocket.Chat's address
 * exactly once.
 */
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../../tools/package';

export const PAGE = 'docs/original-urls.md';
export const PAGE_PATH = path.join(ROOT, PAGE);
export const PAGE_TITLE = '# Keep the original URLs';

/** The common case the page's blocks are written for. */
export const PAGE_LISTEN_PORT = 8080;
export const PAGE_UPSTREAM = '127.0.0.1:3000';

export interface ProxyBlocks {
	/** main-context lines of nginx.conf (the Lua module's `load_module` lines) */
	nginxMain: string;
	/** http-context configuration: upstream, map, server */
	nginxHttp: string;
	/** a Caddyfile site block */
	caddyfile: string;
}

export class ReadmeBlockError extends Error {}

/** The page's text, once its title says it is the page of the proxy rules. */
export function proxySection(page: string): string {
	if (page.split('\n')[0].trim() !== PAGE_TITLE) {
		throw new ReadmeBlockError(`${PAGE} does not open with "${PAGE_TITLE}"`);
	}
	return page;
}

/** The fenced blocks of a text, with their info string (```nginx → nginx). */
export function fencedBlocks(text: string): Array<{ lang: string; body: string }> {
	const blocks: Array<{ lang: string; body: string }> = [];
	const fence = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
	for (let match = fence.exec(text); match; match = fence.exec(text)) {
		blocks.push({ lang: match[1].trim(), body: match[2] });
	}
	return blocks;
}

export function readProxyBlocks(page: string = fs.readFileSync(PAGE_PATH, 'utf8')): ProxyBlocks {
	const blocks = fencedBlocks(proxySection(page));
	const nginx = blocks.filter((block) => block.lang === 'nginx').map((block) => block.body);
	const caddy = blocks.filter((block) => block.lang === 'caddyfile').map((block) => block.body);
	const main = nginx.filter((body) => /^\s*load_module\s/m.test(body));
	const http = nginx.filter((body) => /^\s*server\s*\{/m.test(body));
	if (nginx.length !== 2 || main.length !== 1 || http.length !== 1 || main[0] === http[0]) {
		throw new ReadmeBlockError(
			`${PAGE} must hold two nginx blocks, one with the load_module lines and one with the server { }: found ${nginx.length}`,
		);
	}
	if (caddy.length !== 1) {
		throw new ReadmeBlockError(`${PAGE} must hold one caddyfile block: found ${caddy.length}`);
	}
	return { nginxMain: main[0], nginxHttp: http[0], caddyfile: caddy[0] };
}

function replaceOnce(block: string, pattern: RegExp, replacement: string, what: string): string {
	const count = (block.match(new RegExp(pattern.source, 'g')) || []).length;
	if (count !== 1) {
		throw new ReadmeBlockError(`a proxy block of ${PAGE} must name ${what} exactly once: found ${count} times`);
	}
	return block.replace(pattern, replacement);
}

/** The block with the proxy's port (8080) and Rocket.Chat's port (127.0.0.1:3000) replaced; nothing else changes. */
export function withPorts(block: string, listenPort: number, upstreamPort: number): string {
	const listening = replaceOnce(block, new RegExp(`\\b${PAGE_LISTEN_PORT}\\b`), String(listenPort), `port ${PAGE_LISTEN_PORT}`);
	const upstream = PAGE_UPSTREAM.replace(/\./g, '\\.');
	return replaceOnce(listening, new RegExp(`\\b${upstream}\\b`), `127.0.0.1:${upstreamPort}`, PAGE_UPSTREAM);
}

/** The absolute module paths of the main-context block's `load_module` lines. */
export function loadedModules(nginxMain: string): string[] {
	return Array.from(nginxMain.matchAll(/^\s*load_module\s+([^;\s]+)\s*;/gm), (match) => match[1]);
}
