import { prepareDenoRuntime } from './engine/deno';
import { ensurePackaged } from './tools/package';

/** Once per `npm test`: the packaged zip is current, and the Deno runtime's offline cache is ready. */
export default async function globalSetup(): Promise<void> {
	ensurePackaged();
	await prepareDenoRuntime();
}
