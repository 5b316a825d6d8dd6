/**
 * The proxy configurations of the README's "Keep the original URLs" section: the single source that the proxy tests
 * and `npm start -- --proxy` run, verbatim but for the two ports. A block that drifts from what is tested cannot
 * exist: the section must hold exactly the blocks read here, each naming the proxy's port and Rocket.Chat's address
 * exactly once.
 */
import * as fs from 'fs';
import * as path from 'path';

import { ROOT } from '../../tools/package';

export const README_PATH = path.join(ROOT, 'README.md');
export const SECTION_HEADING = '## Keep the original URLs';

/** The common case the README's blocks are written for. */
export const README_LISTEN_PORT = 8080;
export const README_UPSTREAM = '127.0.0.1:3000';

export interface ProxyBlocks {
	/** main-context lines of nginx.conf (the Lua module's `load_module` lines) */
	nginxMain: string;
	/** http-context configuration: upstream, map, server */
	nginxHttp: string;
	/** a Caddyfile site block */
	caddyfile: string;
}

export class ReadmeBlockError extends Error {}

/** The section's text, from its heading to the next `## ` heading. */
export function readmeSection(readme: string): string {
	const start = readme.split('\n').findIndex((line) => line.trim() === SECTION_HEADING);
	if (start === -1) {
		throw new ReadmeBlockError(`README.md has no "${SECTION_HEADING}" section`);
	}
	const lines = readme.split('\n').slice(start + 1);
	const end = lines.findIndex((line) => /^## /.test(line));
	return (end === -1 ? lines : lines.slice(0, end)).join('\n');
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

export function readProxyBlocks(readme: string = fs.readFileSync(README_PATH, 'utf8')): ProxyBlocks {
	const blocks = fencedBlocks(readmeSection(readme));
	const nginx = blocks.filter((block) => block.lang === 'nginx').map((block) => block.body);
	const caddy = blocks.filter((block) => block.lang === 'caddyfile').map((block) => block.body);
	const main = nginx.filter((body) => /^\s*load_module\s/m.test(body));
	const http = nginx.filter((body) => /^\s*server\s*\{/m.test(body));
	if (nginx.length !== 2 || main.length !== 1 || http.length !== 1 || main[0] === http[0]) {
		throw new ReadmeBlockError(
			`"${SECTION_HEADING}" must hold two nginx blocks, one with the load_module lines and one with the server { }: found ${nginx.length}`,
		);
	}
	if (caddy.length !== 1) {
		throw new ReadmeBlockError(`"${SECTION_HEADING}" must hold one caddyfile block: found ${caddy.length}`);
	}
	return { nginxMain: main[0], nginxHttp: http[0], caddyfile: caddy[0] };
}

function replaceOnce(block: string, pattern: RegExp, replacement: string, what: string): string {
	const count = (block.match(new RegExp(pattern.source, 'g')) || []).length;
	if (count !== 1) {
		throw new ReadmeBlockError(`a README proxy block must name ${what} exactly once: found ${count} times`);
	}
	return block.replace(pattern, replacement);
}

/** The block with the proxy's port (8080) and Rocket.Chat's port (127.0.0.1:3000) replaced; nothing else changes. */
export function withPorts(block: string, listenPort: number, upstreamPort: number): string {
	const listening = replaceOnce(block, new RegExp(`\\b${README_LISTEN_PORT}\\b`), String(listenPort), `port ${README_LISTEN_PORT}`);
	const upstream = README_UPSTREAM.replace(/\./g, '\\.');
	return replaceOnce(listening, new RegExp(`\\b${upstream}\\b`), `127.0.0.1:${upstreamPort}`, README_UPSTREAM);
}

/** The absolute module paths of the main-context block's `load_module` lines. */
export function loadedModules(nginxMain: string): string[] {
	return Array.from(nginxMain.matchAll(/^\s*load_module\s+([^;\s]+)\s*;/gm), (match) => match[1]);
}
