/** The fuzz generators' one engine-dependent choice: an own `__proto__` key only where it cannot wedge a runtime. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { ALL_ENGINES, isDenoEngine } from '../engine/engines';
import { hasOwnProtoKey } from '../server/query';
import { mayHoldProtoKey, requestArbitrary } from './arbitraries';

describe.each(ALL_ENGINES)('requestArbitrary on engine %s', (engine) => {
	it(isDenoEngine(engine) ? 'never makes an own __proto__ key (it would wedge the runtime)' : 'makes own __proto__ keys too', () => {
		const requests = fc.sample(requestArbitrary(engine), { numRuns: 3000, seed: 12 });
		const holding = requests.filter((request) => hasOwnProtoKey(request.query) || hasOwnProtoKey(request.headers));
		expect([mayHoldProtoKey(engine), holding.length > 0]).toEqual([!isDenoEngine(engine), !isDenoEngine(engine)]);
	});
});
