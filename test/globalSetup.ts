import { prepareDenoRuntime } from './engine/deno';
import { ALL_ENGINES, isDenoEngine } from './engine/engines';
import { ensurePackaged } from '../tools/package';

/** Once per `npm test`: the packaged zip is current, and every Deno engine's offline cache is ready. */
export default async function globalSetup(): Promise<void> {
	ensurePackaged();
	for (const engine of ALL_ENGINES.filter(isDenoEngine)) {
		await prepareDenoRuntime(engine);
	}
}
