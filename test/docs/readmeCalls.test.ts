/**
 * The README's two curl examples ("The endpoints and the command"), run with the real curl against the stand-in on
 * the newest runnable engine, with only the workspace URL and the token put in: each answers what its `→` line says.
 * (The contract behind them is proven on every engine by test/engine and test/robustness.)
 */
import { execFile } from 'child_process';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { fencedBlocks } from '../proxy/proxyPage';
import type { RunningServer } from '../server';
import { DEMO, startServer } from '../server';
import { readPage } from './links';

const README_URL = 'https://chat.example.com';
const README_TOKEN = '<personal access token>';

let server: RunningServer;

beforeAll(async () => {
	server = await startServer({ port: 0, rateLimit: false });
}, 120000);

afterAll(async () => {
	await server.stop();
});

/** The README's examples of that section: each block's command (continuation lines joined) and its `→` lines. */
function examples(): Array<{ command: string; answer: string }> {
	const readme = readPage('README.md');
	const section = readme.slice(readme.indexOf('## The endpoints and the command'), readme.indexOf('## Settings'));
	return fencedBlocks(section)
		.filter((block) => block.lang === 'sh')
		.map((block) => {
			const lines = block.body.trim().split('\n');
			return {
				command: lines
					.filter((line) => !line.startsWith('#'))
					.join('\n')
					.replace(/ \\\n\s*/g, ' '),
				answer: lines.filter((line) => line.startsWith('#')).join('\n'),
			};
		});
}

/** Runs a README command (a curl line) as a shell would split it, against the stand-in (in this process: never synchronously). */
function run(command: string): Promise<string> {
	const local = command.split(README_URL).join(server.url).split(README_TOKEN).join(DEMO.callerToken);
	return new Promise((resolve, reject) => {
		execFile('sh', ['-c', `${local} -w '\\n%{http_code}'`], { encoding: 'utf8', timeout: 30000 }, (error, stdout) =>
			error ? reject(error) : resolve(stdout),
		);
	});
}

describe("the README's curl examples", () => {
	it('are two: voip/room and voip/room.close, as the README shows them', () => {
		const found = examples();
		expect(found.map((example) => /\/voip\/room(\.close)?\b/.exec(example.command)?.[0])).toEqual(['/voip/room', '/voip/room.close']);
		expect(found[0].answer).toContain(
			'→ 200 {"room":{"_id":"kCJDd5peKiZnGJLPq","fname":"Mary","t":"l",…},"newRoom":false,"success":true}',
		);
		expect(found[1].answer).toContain(
			'→ 200 {"rid":"kCJDd5peKiZnGJLPq","success":true}; the same call again: 400 {"success":false,"error":"room-closed"}',
		);
	});

	it('answer what the README says, the close twice last', async () => {
		const [lookup, close] = examples();
		const [lookupBody, lookupStatus] = (await run(lookup.command)).split('\n');
		expect(lookupStatus).toBe('200');
		const found = JSON.parse(lookupBody) as { room: Record<string, unknown>; newRoom: boolean; success: boolean };
		expect([Object.keys(found.room).slice(0, 3), found.room._id, found.room.fname, found.room.t, found.newRoom, found.success]).toEqual(
			[['_id', 'fname', 't'], 'kCJDd5peKiZnGJLPq', 'Mary', 'l', false, true],
		);
		expect(await run(close.command)).toBe('{"rid":"kCJDd5peKiZnGJLPq","success":true}\n200');
		expect(await run(close.command)).toBe('{"success":false,"error":"room-closed"}\n400');
	});
});
