/**
 * The bench's code path, briefly, so that `npm run bench` keeps working: a few calls of every path on both engines,
 * the report in every format, and a second of HTTP. Asserts structure and engine reads per request only, never
 * a time (no timed assertion belongs in `npm test`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from '@jest/globals';

import { ALL_ENGINES, isDenoEngine } from '../engine/engines';
import type { EngineName } from '../engine/host';
import { PATHS, runEngineBench } from './engineBench';
import { runHttpBench } from './http';
import { DEFAULTS, parseArgs } from './main';
import type { BenchReport } from './report';
import { renderMarkdown, renderText, writeReport } from './report';
import { machineStamp } from './system';
import { checkTargets } from './targets';

const ENGINES: ReadonlyArray<EngineName> = ALL_ENGINES;

describe('npm run bench: options', () => {
	it('defaults to 1.62 with the HTTP part, and parses every option', () => {
		expect(parseArgs([])).toEqual(DEFAULTS);
		expect(
			parseArgs([
				'--engine',
				'1.62,1.42',
				'--calls=10',
				'--block',
				'5',
				'--warmup',
				'0',
				'--memory-calls',
				'0',
				'--no-http',
				'--no-write',
			]),
		).toMatchObject({ engines: ['1.62', '1.42'], calls: 10, block: 5, warmup: 0, memoryCalls: 0, http: false, write: false });
		expect(parseArgs(['--engine', 'all']).engines).toEqual(['1.42', '1.53', '1.59', '1.62']);
		expect(parseArgs(['--engine=1.59.0']).engines).toEqual(['1.59']);
		expect(() => parseArgs(['--engine', '1.50'])).toThrow(/--engine/);
		expect(() => parseArgs(['--engine', '1.62,'])).toThrow(/--engine/);
		expect(() => parseArgs(['--calls', '0'])).toThrow(/--calls/);
		expect(() => parseArgs(['--fast'])).toThrow(/unknown option/);
	});
});

describe.each(ENGINES)('the bench on engine %s', (engine) => {
	it('measures every path against its floor, with the engine reads each costs', async () => {
		const result = await runEngineBench({ engine, callsPerPath: 20, block: 10, warmup: 2, memoryCalls: 40, memoryWarmup: 8 });
		expect(result.paths.map((p) => p.name)).toEqual(PATHS.map((p) => p.name));
		for (const p of result.paths) {
			expect([p.name, p.calls, p.latencyMs.n, p.roundP50Ms.min <= p.roundP50Ms.max]).toEqual([p.name, 20, 20, true]);
			expect(p.latencyMs.p50).toBeGreaterThan(0);
			expect(p.latencyMs.p99).toBeGreaterThanOrEqual(p.latencyMs.p50);
			// the rid path costs one read, the lookup one (issue #9), creation six (issue #14: the claims), the close three
			// (issue 20); the baselines what they are the floor of
			expect([p.name, p.readsPerCall]).toEqual([p.name, p.expectedReads]);
		}
		const byName = Object.fromEntries(result.paths.map((p) => [p.name, p]));
		expect(byName.rid.readsByMethod).toEqual({ 'room.getById': 1 });
		expect(byName.lookup.readsByMethod).toEqual({ 'livechat.findRooms': 1 });
		expect(byName.create.readsByMethod).toEqual({
			'livechat.findRooms': 2,
			'livechat.findVisitorByToken': 1,
			'persistence.readByAssociations': 1,
			'room.getById': 1,
			'user.getById': 1,
		});
		expect(byName['floor-1'].readsByMethod).toEqual(byName.rid.readsByMethod);
		expect(byName['floor-1-rooms'].readsByMethod).toEqual(byName.lookup.readsByMethod);
		expect(byName['floor-2'].readsByMethod).toEqual({ 'livechat.findRooms': 1, 'livechat.findVisitorByToken': 1 });
		// CONTRACT §5: the close reads the room, its close claims, and the room again under its claim (issue 20); its
		// floor reads the room once
		expect(byName.close.readsByMethod).toEqual({ 'room.getById': 2, 'persistence.readByAssociations': 1 });
		expect(byName['floor-close'].readsByMethod).toEqual({ 'room.getById': 1 });
		// the close with its claim, without the app: the floor of a close coordinated across instances
		expect(byName['floor-close-claimed'].readsByMethod).toEqual(byName.close.readsByMethod);
		expect([byName.rid.vsFloor?.floor, byName.lookup.vsFloor?.floor, byName.create.vsFloor, byName.close.vsFloor?.floor]).toEqual([
			'floor-1',
			'floor-1-rooms',
			undefined,
			'floor-close',
		]);
		expect(result.memory).toMatchObject({ calls: 40, warmup: 8, gcForced: true });
		expect(result.memory?.before.nodeHeapUsed).toBeGreaterThan(0);
		if (isDenoEngine(engine)) {
			expect(result.memory?.before.appDenoRss).toBeGreaterThan(0);
			expect(result.memory?.before.baselineDenoRss).toBeGreaterThan(0);
		}

		const targets = checkTargets(result);
		expect(targets.map((t) => [t.id, t.applies])).toEqual([
			['rid-p50', isDenoEngine(engine)],
			['rid-p99', isDenoEngine(engine)],
			['lookup-p50', isDenoEngine(engine)],
			['close-p50', isDenoEngine(engine)],
			['rid-reads', true],
			['lookup-reads', true],
			['close-reads', true],
			['heap', true],
		]);
		expect(targets.filter((t) => t.id.endsWith('-reads')).map((t) => t.met)).toEqual([true, true, true]);

		const report: BenchReport = {
			stamp: machineStamp(),
			options: {},
			runs: [{ result, targets, http: { skipped: 'not in npm test' } }],
		};
		expect(renderText(report)).toContain('rid path (200)');
		expect(renderMarkdown(report)).toMatch(/\| path \| calls \| p50 ms/);
		// the summary: one row per engine, the reads each path costs
		expect(renderMarkdown(report)).toMatch(/\| engine \| Rocket\.Chat \| runtime \| rid p50 ms/);
		expect(renderText(report)).toContain(` 1/1/6/3 `);
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiproom-bench-'));
		try {
			const written = writeReport(report, dir).map((file) => path.basename(file));
			expect(written.slice(0, 2)).toEqual(['latest.json', 'latest.md']);
			expect(written[2]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_${engine}\\.json$`));
			expect(JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8'))).toMatchObject({ runs: [{ result: { engine } }] });
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('the bench over HTTP', () => {
	it('loads the rid path and the one-read baseline over loopback, every answer a 200', async () => {
		const http = await runHttpBench({ engine: '1.42', seconds: 1, slices: 1, connections: 2, warmupSeconds: 0 });
		expect(http.endpoints.map((e) => e.name)).toEqual(['rid', 'floor-1']);
		for (const e of http.endpoints) {
			expect(e.requests).toBeGreaterThan(0);
			expect([e.non2xx, e.errors]).toEqual([0, 0]);
		}
		expect(http.endpoints[0].vsFloor).toBeDefined();
	});
});
