/** Small statistics over latency samples (milliseconds). */

export interface Summary {
	n: number;
	mean: number;
	min: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: ReadonlyArray<number>, q: number): number {
	if (sorted.length === 0) {
		return NaN;
	}
	const rank = Math.ceil(q * sorted.length) - 1;
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function sortedCopy(values: ReadonlyArray<number>): number[] {
	// a typed array sorts numerically
	return Array.from(Float64Array.from(values).sort());
}

export function median(values: ReadonlyArray<number>): number {
	return quantile(sortedCopy(values), 0.5);
}

export function summarize(values: ReadonlyArray<number>): Summary {
	const sorted = sortedCopy(values);
	const sum = sorted.reduce((total, value) => total + value, 0);
	return {
		n: sorted.length,
		mean: sorted.length ? sum / sorted.length : NaN,
		min: sorted.length ? sorted[0] : NaN,
		p50: quantile(sorted, 0.5),
		p95: quantile(sorted, 0.95),
		p99: quantile(sorted, 0.99),
		max: sorted.length ? sorted[sorted.length - 1] : NaN,
	};
}

export interface Spread {
	min: number;
	median: number;
	max: number;
}

export function spread(values: ReadonlyArray<number>): Spread {
	const sorted = sortedCopy(values);
	return { min: quantile(sorted, 0), median: quantile(sorted, 0.5), max: quantile(sorted, 1) };
}

export function round(value: number, digits = 3): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
