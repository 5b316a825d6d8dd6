/** The liveness timings a test may give the Deno engines (liveness.ts): both engines' option names, loud on others. */
import { describe, expect, it } from '@jest/globals';

import { tuneOptions } from './liveness';

const TIMINGS = { pingIntervalMs: 1000, pingTimeoutMs: 500, consecutiveTimeouts: 4 };
const COMMON = { consecutiveTimeoutLimit: 4, maxRestarts: Infinity, restartAttemptDelayInMS: 1000 };

describe('tuneOptions', () => {
	it("1.59.0 and 1.62.0's option names", () => {
		expect(tuneOptions({ pingTimeoutInMS: 1000, pingIntervalInMS: 10000, ...COMMON }, { ...TIMINGS, consecutiveTimeouts: 2 })).toEqual({
			pingTimeoutInMS: 500,
			pingIntervalInMS: 1000,
			...COMMON,
			consecutiveTimeoutLimit: 2,
		});
	});

	it("1.53.1's option names", () => {
		expect(tuneOptions({ pingRequestTimeout: 1000, pingFrequencyInMS: 10000, ...COMMON }, TIMINGS)).toEqual({
			pingRequestTimeout: 500,
			pingFrequencyInMS: 1000,
			...COMMON,
		});
	});

	it('an engine with other names: a clear error, not defaults silently kept', () => {
		expect(() => tuneOptions({ pingTimeoutInMS: 1000, heartbeatMs: 10000, ...COMMON }, TIMINGS)).toThrow(
			"test host: the engine's LivenessManager has no option pingIntervalInMS or pingFrequencyInMS (it has pingTimeoutInMS, heartbeatMs, consecutiveTimeoutLimit, maxRestarts, restartAttemptDelayInMS): update test/engine/host/liveness.ts",
		);
	});
});
