/** What every fuzz run asserts at its end: the app still enabled, no prototype of this process changed, no log of its own. */
import { expect } from '@jest/globals';

import type { Host } from '../engine/host';
import type { PrototypeSnapshot } from './protoGuard';
import { prototypeChanges } from './protoGuard';
import { appOwnLogEntries, ENABLED } from './world';

export async function expectStillHealthy(host: Host, prototypes: PrototypeSnapshot): Promise<void> {
	expect(ENABLED).toContain(await host.status());
	expect(prototypeChanges(prototypes)).toEqual([]);
	expect(appOwnLogEntries(host)).toEqual([]);
}
