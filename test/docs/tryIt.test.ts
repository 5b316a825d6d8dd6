/**
 * The calls of docs/development.md, "Try it locally", are the ones `npm start` prints on the demo data (the same
 * commands, titles and answers), and test/server/cli.test.ts runs what `npm start` prints: the page cannot drift
 * from what is run.
 */
import { describe, expect, it } from '@jest/globals';

import { demoData } from '../server/demo';
import { formatHints } from '../server/hints';
import { fencedBlocks } from '../proxy/proxyPage';
import { readPage } from './links';

const URL = 'http://127.0.0.1:3000';
const APP_ID = '2c6d81eb-0039-41a3-9399-92fd3df46d00';

describe('docs/development.md, "Try it locally"', () => {
	it('holds exactly the calls `npm start` prints on the demo data, on its default port', () => {
		const page = readPage('docs/development.md');
		const section = page.slice(page.indexOf('## Try it locally'));
		const block = fencedBlocks(section).find((fenced) => fenced.lang === 'sh');
		const printed = formatHints({
			url: URL,
			appBaseUrl: `${URL}/api/apps/public/${APP_ID}`,
			data: demoData(),
			demo: true,
			rateLimit: true,
		});
		// the printed block without its opening line and its closing lines (rate limit, /api/info), which the page says in prose
		const calls = printed
			.split('\n')
			.filter((line) => line !== 'Try it (copy and paste):' && !/^(Rate limit|Engine and runtime):/.test(line))
			.join('\n')
			.trim();
		expect(block && block.body.trim()).toBe(calls);
	});
});
