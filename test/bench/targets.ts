/** The targets of issues #6 and #9 (and #10's close path), checked against one engine's figures. */
import { isDenoEngine } from '../engine/engines';
import type { EngineResult, PathName, PathResult } from './engineBench';

export interface TargetCheck {
	id: string;
	/** what is promised, in words */
	target: string;
	/** false where the target is not one for this engine (the latency ratios are targets of the Deno runtime) */
	applies: boolean;
	measured: number | undefined;
	limit: number;
	met: boolean | undefined;
	unit: '×' | 'reads' | '%';
}

export const LIMITS = {
	ridP50: 1.15,
	ridP99: 1.5,
	lookupP50: 1.15,
	closeP50: 1.2,
	heapGrowth: 0.05,
	memoryCalls: 10000,
} as const;

function path(result: EngineResult, name: PathName): PathResult | undefined {
	return result.paths.find((p) => p.name === name);
}

function ratio(result: EngineResult, name: PathName, which: 'p50Ratio' | 'p99Ratio'): number | undefined {
	const found = path(result, name);
	return found && found.vsFloor ? found.vsFloor[which] : undefined;
}

function check(
	id: string,
	target: string,
	applies: boolean,
	measured: number | undefined,
	limit: number,
	unit: TargetCheck['unit'],
	ok: (value: number) => boolean,
): TargetCheck {
	return { id, target, applies, measured, limit, unit, met: measured === undefined || Number.isNaN(measured) ? undefined : ok(measured) };
}

export function checkTargets(result: EngineResult): TargetCheck[] {
	const deno = isDenoEngine(result.engine);
	const rid = path(result, 'rid');
	const lookup = path(result, 'lookup');
	const close = path(result, 'close');
	const memory = result.memory;
	return [
		check(
			'rid-p50',
			`rid path p50 ≤ ${LIMITS.ridP50} × one-read floor`,
			deno,
			ratio(result, 'rid', 'p50Ratio'),
			LIMITS.ridP50,
			'×',
			(v) => v <= LIMITS.ridP50,
		),
		check(
			'rid-p99',
			`rid path p99 ≤ ${LIMITS.ridP99} × one-read floor`,
			deno,
			ratio(result, 'rid', 'p99Ratio'),
			LIMITS.ridP99,
			'×',
			(v) => v <= LIMITS.ridP99,
		),
		check(
			'lookup-p50',
			`lookup path p50 ≤ ${LIMITS.lookupP50} × one-read floor (its rooms by token)`,
			deno,
			ratio(result, 'lookup', 'p50Ratio'),
			LIMITS.lookupP50,
			'×',
			(v) => v <= LIMITS.lookupP50,
		),
		check(
			'close-p50',
			'close path p50 ≤ 1.2 × read + close floor',
			deno,
			ratio(result, 'close', 'p50Ratio'),
			LIMITS.closeP50,
			'×',
			(v) => v <= LIMITS.closeP50,
		),
		check('rid-reads', 'rid path: 1 engine read per request', true, rid && rid.readsPerCall, 1, 'reads', (v) => v === 1),
		check('lookup-reads', 'lookup path: 1 engine read per request', true, lookup && lookup.readsPerCall, 1, 'reads', (v) => v === 1),
		// issue 20: the room, its close claims, the room again under the claim (one close across instances)
		check('close-reads', 'close path: 3 engine reads per request', true, close && close.readsPerCall, 3, 'reads', (v) => v === 3),
		check(
			'heap',
			`Node heap after warm-up grows < 5 % over ${memory ? memory.calls : LIMITS.memoryCalls} calls`,
			true,
			memory ? memory.heapGrowth * 100 : undefined,
			LIMITS.heapGrowth * 100,
			'%',
			(v) => v < LIMITS.heapGrowth * 100,
		),
	];
}
