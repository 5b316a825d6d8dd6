/** `npm run prepare:engines`: the packaged zip and the Deno runtime's offline cache, as the tests need them. */
import { prepareDenoRuntime } from '../engine/deno';
import { ensurePackaged } from './package';

async function main(): Promise<void> {
	let started = Date.now();
	const zip = ensurePackaged();
	console.log(`app packaged: ${zip} (${Date.now() - started} ms)`);
	started = Date.now();
	const deno = await prepareDenoRuntime();
	console.log(`deno runtime ready: DENO_DIR=${deno.denoDir} (${Date.now() - started} ms)`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
