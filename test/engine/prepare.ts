/** `npm run prepare:engines`: the packaged zip and the Deno runtime's offline cache, as the tests need them. */
import { prepareDenoRuntime } from './deno';
import { ALL_ENGINES, ENGINE_TABLE, isDenoEngine } from './engines';
import { ensurePackaged } from '../../tools/package';

async function main(): Promise<void> {
	let started = Date.now();
	const zip = ensurePackaged();
	console.log(`app packaged: ${zip} (${Date.now() - started} ms)`);
	for (const engine of ALL_ENGINES.filter(isDenoEngine)) {
		started = Date.now();
		const deno = await prepareDenoRuntime(engine);
		const row = ENGINE_TABLE[engine];
		console.log(`apps-engine ${row.version} on Deno ${row.denoVersion} ready: DENO_DIR=${deno.denoDir} (${Date.now() - started} ms)`);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
