/** Every relative link and `#anchor` of README.md and docs/ resolves, and each docs page opens as the layout says. */
import { describe, expect, it } from '@jest/globals';

import { anchors, brokenReason, pages, readPage, relativeLinks, slug } from './links';

describe('README.md and docs/', () => {
	it('every relative link and #anchor resolves', () => {
		const broken = pages().flatMap((page) =>
			relativeLinks(page, readPage(page))
				.map((link) => ({ link, reason: brokenReason(link) }))
				.filter(({ reason }) => reason !== undefined)
				.map(({ link, reason }) => `${link.page}:${link.line} (${link.target}): ${reason}`),
		);
		expect(broken).toEqual([]);
	});

	it('the README links every page of docs/', () => {
		const linked = new Set(relativeLinks('README.md', readPage('README.md')).map((link) => link.target.split('#')[0]));
		expect(pages().filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
	});

	it('each docs page opens with its title, then one paragraph that says what it is for', () => {
		for (const page of pages().filter((name) => name.startsWith('docs/'))) {
			const [title, blank, first] = readPage(page).split('\n');
			expect([page, /^# \S/.test(title), blank, /^[A-Za-z`*_]/.test(first || '')]).toEqual([page, true, '', true]);
		}
	});

	it('the README is a front page: at most 250 lines', () => {
		expect(readPage('README.md').split('\n').length).toBeLessThanOrEqual(251);
	});
});

describe('the link checker itself', () => {
	it('makes anchors as GitHub does', () => {
		expect(slug('The `__proto__` wedge (an Apps-Engine defect)')).toBe('the-__proto__-wedge-an-apps-engine-defect');
		expect(slug('Closing the call: `POST voip/room.close`')).toBe('closing-the-call-post-voiproomclose');
		expect(slug('Migrating from the core VoIP API')).toBe('migrating-from-the-core-voip-api');
		expect([...anchors('# A\n## B\n## B\n```\n## C\n```\n')]).toEqual(['a', 'b', 'b-1']);
	});

	it('finds what does not resolve', () => {
		const links = relativeLinks(
			'README.md',
			'[a](docs/nowhere.md) [b](#no-such-heading) [c](https://example.com) `[d](x.md)`\n```\n[e](y.md)\n```\n[f](docs/api.md#nope)',
		);
		expect(links.map((link) => [link.target, brokenReason(link)])).toEqual([
			['docs/nowhere.md', 'docs/nowhere.md does not exist'],
			['#no-such-heading', 'README.md has no heading #no-such-heading'],
			['docs/api.md#nope', 'docs/api.md has no heading #nope'],
		]);
	});
});
