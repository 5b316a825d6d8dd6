/** The rules that keep the proxy blocks of docs/original-urls.md the tested ones (./proxyPage.ts). */
import * as fs from 'fs';

import { describe, expect, it } from '@jest/globals';

import { PAGE_PATH, ReadmeBlockError, loadedModules, proxySection, readProxyBlocks, withPorts } from './proxyPage';

const readme = fs.readFileSync(PAGE_PATH, 'utf8');

describe('the blocks of docs/original-urls.md ("Keep the original URLs")', () => {
	it('are two nginx blocks (main and http context) and one Caddyfile site block', () => {
		const blocks = readProxyBlocks(readme);
		expect(loadedModules(blocks.nginxMain)).toEqual([
			'/usr/lib/nginx/modules/ndk_http_module.so',
			'/usr/lib/nginx/modules/ngx_http_lua_module.so',
		]);
		expect(blocks.nginxHttp).toMatch(/^server \{\n {4}listen 8080;$/m);
		expect(blocks.nginxHttp).toMatch(/^ {4}server 127\.0\.0\.1:3000;$/m);
		expect(blocks.caddyfile).toMatch(/^:8080 \{$/m);
		expect(blocks.caddyfile).toMatch(/^\treverse_proxy 127\.0\.0\.1:3000$/m);
	});

	it('change in the tests by their two ports only', () => {
		const blocks = readProxyBlocks(readme);
		for (const block of [blocks.nginxHttp, blocks.caddyfile]) {
			const tested = withPorts(block, 18080, 13000);
			expect(tested).not.toBe(block);
			expect(tested.replace('18080', '8080').replace('127.0.0.1:13000', '127.0.0.1:3000')).toBe(block);
		}
	});

	it('cannot drift: another block, a port named twice, or no section is an error', () => {
		const section = proxySection(readme);
		const withExtra = readme.replace(section, `${section}\n\`\`\`nginx\nserver {\n}\n\`\`\`\n`);
		expect(() => readProxyBlocks(withExtra)).toThrow(ReadmeBlockError);
		expect(() => withPorts('listen 8080; # was 8080', 1, 2)).toThrow(
			'a proxy block of docs/original-urls.md must name port 8080 exactly once: found 2 times',
		);
		expect(() => withPorts('listen 8080;', 1, 2)).toThrow(
			'a proxy block of docs/original-urls.md must name 127.0.0.1:3000 exactly once: found 0 times',
		);
		expect(() => readProxyBlocks(readme.replace('# Keep the original URLs', '# Original URLs'))).toThrow(
			'docs/original-urls.md does not open with "# Keep the original URLs"',
		);
	});
});
