/** The bench's figures as a terminal table, Markdown and JSON, and where they are written. */
import * as fs from 'fs';
import * as path from 'path';

import { ENGINE_TABLE } from '../engine/engines';
import type { EngineResult, PathResult } from './engineBench';
import type { HttpOutcome } from './http';
import type { MachineStamp } from './system';
import type { TargetCheck } from './targets';

export interface EngineRun {
	result: EngineResult;
	targets: TargetCheck[];
	http?: HttpOutcome;
}

export interface BenchReport {
	stamp: MachineStamp;
	/** the command line's options, as parsed */
	options: Record<string, unknown>;
	runs: EngineRun[];
}

export const RESULTS_DIR = path.join(__dirname, 'results');

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : '–');
const times = (value: number | undefined): string => (value !== undefined && Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const mb = (bytes: number | undefined): string => (bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MB`);
const pct = (fraction: number | undefined): string =>
	fraction === undefined ? '–' : `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)} %`;
const readsText = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));

type Table = { head: string[]; rows: string[][]; right: boolean[] };

function pathTable(paths: PathResult[]): Table {
	return {
		head: [
			'path',
			'calls',
			'p50 ms',
			'p95 ms',
			'p99 ms',
			'calls/s',
			'reads/call',
			'floor',
			'p50 ×',
			'p99 ×',
			'p50 × per round (min–max)',
		],
		right: [false, true, true, true, true, true, true, false, true, true, false],
		rows: paths.map((p) => [
			p.label,
			String(p.calls),
			ms(p.latencyMs.p50),
			ms(p.latencyMs.p95),
			ms(p.latencyMs.p99),
			p.callsPerSecond.toFixed(0),
			readsText(p.readsPerCall),
			p.vsFloor ? p.vsFloor.floor : '',
			p.vsFloor ? times(p.vsFloor.p50Ratio) : '',
			p.vsFloor ? times(p.vsFloor.p99Ratio) : '',
			p.vsFloor
				? `${times(p.vsFloor.roundP50Ratio.median)} (${times(p.vsFloor.roundP50Ratio.min)}–${times(p.vsFloor.roundP50Ratio.max)})`
				: '',
		]),
	};
}

function httpTable(http: HttpOutcome): Table | undefined {
	if ('skipped' in http) {
		return undefined;
	}
	return {
		head: ['endpoint', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'req/s ×', 'p50 ×', 'p99 ×'],
		right: [false, true, true, true, true, true, true, true, true, true],
		rows: http.endpoints.map((e) => [
			e.label,
			String(e.requests),
			e.requestsPerSecond.toFixed(0),
			ms(e.latencyMs.p50),
			ms(e.latencyMs.p99),
			String(e.non2xx),
			String(e.errors),
			e.vsFloor ? times(e.vsFloor.rpsRatio) : '',
			e.vsFloor ? times(e.vsFloor.p50Ratio) : '',
			e.vsFloor ? times(e.vsFloor.p99Ratio) : '',
		]),
	};
}

function targetTable(targets: TargetCheck[]): Table {
	return {
		head: ['target', 'measured', 'met'],
		right: [false, true, false],
		rows: targets.map((t) => [
			t.target,
			t.measured === undefined
				? '–'
				: t.unit === '×'
					? times(t.measured)
					: t.unit === '%'
						? `${t.measured.toFixed(2)} %`
						: readsText(t.measured),
			!t.applies ? 'not a target on this engine' : t.met === undefined ? 'not measured' : t.met ? 'yes' : 'NO',
		]),
	};
}

function markdownTable(table: Table): string {
	const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
	const lines = [
		`| ${table.head.map(escape).join(' | ')} |`,
		`| ${table.right.map((right) => (right ? '---:' : '---')).join(' | ')} |`,
		...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
	];
	return lines.join('\n');
}

function textTable(table: Table): string {
	const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((row) => row[i].length)));
	const line = (cells: string[]): string =>
		cells
			.map((cell, i) => (table.right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
			.join('  ')
			.trimEnd();
	return [line(table.head), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** One row per engine: what the issue's targets look at, side by side (the per-engine tables follow). */
function summaryTable(runs: EngineRun[]): Table {
	const find = (run: EngineRun, name: string): PathResult | undefined => run.result.paths.find((p) => p.name === name);
	const p50 = (run: EngineRun, name: string): string => {
		const found = find(run, name);
		return found ? ms(found.latencyMs.p50) : '–';
	};
	const reads = (run: EngineRun, name: string): string => {
		const found = find(run, name);
		return found ? readsText(found.readsPerCall) : '–';
	};
	const missed = (run: EngineRun): string => {
		const applying = run.targets.filter((t) => t.applies);
		const failed = applying.filter((t) => t.met === false).map((t) => t.id);
		return failed.length ? `missed: ${failed.join(', ')}` : `${applying.filter((t) => t.met).length}/${applying.length} met`;
	};
	return {
		head: [
			'engine',
			'Rocket.Chat',
			'runtime',
			'rid p50 ms',
			'rid p50 ×',
			'rid p99 ×',
			'lookup p50 ms',
			'lookup p50 ×',
			'close p50 ms',
			'close p50 ×',
			'reads rid/lookup/create/close',
			'creation p50 ms',
			'errors p50 ms (params, token)',
			'targets',
		],
		rows: runs.map((run) => {
			const rid = find(run, 'rid');
			const lookup = find(run, 'lookup');
			const close = find(run, 'close');
			return [
				run.result.engineVersion,
				ENGINE_TABLE[run.result.engine].rocketChat,
				run.result.runtime,
				p50(run, 'rid'),
				times(rid && rid.vsFloor && rid.vsFloor.p50Ratio),
				times(rid && rid.vsFloor && rid.vsFloor.p99Ratio),
				p50(run, 'lookup'),
				times(lookup && lookup.vsFloor && lookup.vsFloor.p50Ratio),
				p50(run, 'close'),
				times(close && close.vsFloor && close.vsFloor.p50Ratio),
				`${reads(run, 'rid')}/${reads(run, 'lookup')}/${reads(run, 'create')}/${reads(run, 'close')}`,
				p50(run, 'create'),
				`${p50(run, 'error-params')}, ${p50(run, 'error-token')}`,
				missed(run),
			];
		}),
		right: [false, false, false, true, true, true, true, true, true, true, true, true, true, false],
	};
}

function stampLine(stamp: MachineStamp): string {
	const load = `load ${stamp.loadStart.join(' ')}${stamp.loadEnd ? ` → ${stamp.loadEnd.join(' ')}` : ''}`;
	return `${stamp.date} · ${stamp.cpu} (${stamp.cores} cores, ${stamp.memoryGb} GB) · ${stamp.os} · Node ${stamp.node} · ${load}`;
}

function engineLine(run: EngineRun): string {
	const r = run.result;
	return (
		`engine ${r.engineVersion} · ${r.runtime} · app zip ${r.zip} · ${r.callsPerPath} calls per path in ${r.rounds} interleaved rounds of ${r.block}` +
		` · install ${r.installMs.app} ms (app), ${r.installMs.baseline} ms (baseline) · ${(r.durationMs / 1000).toFixed(0)} s`
	);
}

function memoryLines(run: EngineRun): string[] {
	const m = run.result.memory;
	if (!m) {
		return ['memory: not measured'];
	}
	const lines = [
		`memory over ${m.calls} calls of the app (its paths in turn) after ${m.warmup} more of them${m.gcForced ? ', readings after forced full GCs' : ' (no GC could be forced)'}:`,
		`  Node heap ${mb(m.before.nodeHeapUsed)} → ${mb(m.after.nodeHeapUsed)} (${pct(m.heapGrowth)}), Node RSS ${mb(m.before.nodeRss)} → ${mb(m.after.nodeRss)}`,
	];
	lines.push(`  Node heap along the way: ${m.trace.map((t) => `${t.calls}: ${mb(t.nodeHeapUsed)}`).join(', ')}`);
	if (m.before.appDenoRss !== undefined) {
		lines.push(
			`  Deno RSS, app ${mb(m.before.appDenoRss)} → ${mb(m.after.appDenoRss)} (${pct(m.appDenoRssGrowth)}), baseline ${mb(m.before.baselineDenoRss)} → ${mb(m.after.baselineDenoRss)}`,
		);
	}
	return lines;
}

function httpLines(http: HttpOutcome | undefined, render: (table: Table) => string): string[] {
	if (!http) {
		return [];
	}
	if ('skipped' in http) {
		return [`HTTP: skipped: ${http.skipped}`];
	}
	const table = httpTable(http) as Table;
	return [
		`HTTP over loopback (${http.server}; autocannon, ${http.connections} connections, ${http.warmupSeconds} s of warm-up then ${http.slices} alternating slices of ${http.sliceSeconds} s per endpoint):`,
		render(table),
	];
}

export function renderText(report: BenchReport): string {
	const out = [`VoipRoom bench · ${stampLine(report.stamp)}`, '', textTable(summaryTable(report.runs))];
	for (const run of report.runs) {
		out.push('', engineLine(run), textTable(pathTable(run.result.paths)), ...memoryLines(run));
		const http = httpLines(run.http, textTable);
		if (http.length) {
			out.push(...http);
		}
		out.push(textTable(targetTable(run.targets)));
	}
	return out.join('\n');
}

export function renderMarkdown(report: BenchReport): string {
	const out = [`# VoipRoom bench`, '', stampLine(report.stamp), '', markdownTable(summaryTable(report.runs))];
	for (const run of report.runs) {
		out.push(
			'',
			`## ${run.result.engineVersion}, ${run.result.runtime}`,
			'',
			engineLine(run),
			'',
			markdownTable(pathTable(run.result.paths)),
			'',
		);
		out.push(...memoryLines(run).map((line) => line.replace(/^ {2}/, '- ').replace(/:$/, ':\n')), '');
		const http = httpLines(run.http, markdownTable);
		if (http.length) {
			out.push(http[0], '', ...http.slice(1), '');
		}
		out.push(markdownTable(targetTable(run.targets)));
	}
	out.push(
		'',
		'Latencies are per call as the server waits for the engine (one caller, sequential); `floor` is the baseline app',
		'endpoint doing the same engine calls (reads; for the close, the read and the close) and answering the same body,',
		'measured in the same rounds; `p50 × per round` is the path over its floor per round (median and spread).',
		'',
	);
	return out.join('\n');
}

/** latest.json + latest.md, and the same under a dated name; returns the paths written. */
export function writeReport(report: BenchReport, dir: string = RESULTS_DIR): string[] {
	fs.mkdirSync(dir, { recursive: true });
	const engines = report.runs.map((run) => run.result.engine).join('+');
	const dated = `${report.stamp.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}_${engines}`;
	const json = `${JSON.stringify(report, null, '\t')}\n`;
	const markdown = renderMarkdown(report);
	const written: string[] = [];
	for (const [name, content] of [
		['latest.json', json],
		['latest.md', markdown],
		[`${dated}.json`, json],
		[`${dated}.md`, markdown],
	]) {
		const file = path.join(dir, name);
		fs.writeFileSync(file, content);
		written.push(file);
	}
	return written;
}
