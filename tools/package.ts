/**
 * `npm run package`: rc-apps packages the app from a staging folder that holds only the app's own files, so the
 * packager (which type-checks every .ts in its folder and cannot resolve most Node built-ins) never sees test/.
 * The zip lands in dist/, as `rc-apps package` would put it.
 *
 * The staging folder's node_modules links every package of ours but `@types/node`: the packager compiles with
 * `types: ['node']`, and every @types/node that TypeScript 5.9 accepts imports `undici-types`, which the
 * packager's module resolver refuses for files under @types/node. The app never runs in Node (it runs in the
 * Apps-Engine runtime), so a stub stands in, declaring the one Node name the engine's definitions use.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');

/** What the app is made of: everything else in the repository is tooling or tests. */
export const APP_FILES = ['app.json', 'package.json', 'tsconfig.json', 'VoipRoomApp.ts', 'icon.png', 'endpoints', 'lib', 'i18n'];

export function zipPath(): string {
	const info = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { nameSlug: string; version: string };
	return path.join(ROOT, 'dist', `${info.nameSlug}_${info.version}.zip`);
}

function newestMtime(entry: string): number {
	const stat = fs.statSync(entry);
	if (!stat.isDirectory()) {
		return stat.mtimeMs;
	}
	return fs.readdirSync(entry).reduce((max, name) => Math.max(max, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

/** True when the zip exists and no app file changed since it was made. */
export function isZipCurrent(): boolean {
	const zip = zipPath();
	if (!fs.existsSync(zip)) {
		return false;
	}
	const built = fs.statSync(zip).mtimeMs;
	return APP_FILES.every((name) => newestMtime(path.join(ROOT, name)) <= built);
}

const NODE_TYPES_STUB =
	'// The app runs in the Apps-Engine runtime, not in Node: the definitions only name Buffer.\ninterface Buffer extends Uint8Array {}\n';

function linkNodeModules(target: string): void {
	const source = path.join(ROOT, 'node_modules');
	fs.mkdirSync(path.join(target, '@types', 'node'), { recursive: true });
	for (const name of fs.readdirSync(source)) {
		if (name !== '@types') {
			fs.symlinkSync(path.join(source, name), path.join(target, name));
		}
	}
	for (const name of fs.readdirSync(path.join(source, '@types'))) {
		if (name !== 'node') {
			fs.symlinkSync(path.join(source, '@types', name), path.join(target, '@types', name));
		}
	}
	fs.writeFileSync(
		path.join(target, '@types', 'node', 'package.json'),
		JSON.stringify({ name: '@types/node', version: '0.0.0', types: 'index.d.ts' }),
	);
	fs.writeFileSync(path.join(target, '@types', 'node', 'index.d.ts'), NODE_TYPES_STUB);
}

/**
 * A staging copy of the app's files (APP_FILES of `source`, default the repository) with the packager's node_modules,
 * in a new temporary folder the caller removes. `npm run deploy` runs `rc-apps deploy` in one too.
 */
export function stageApp(source: string = ROOT): string {
	const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'voiproom-package-'));
	try {
		for (const name of APP_FILES) {
			fs.cpSync(path.join(source, name), path.join(staging, name), { recursive: true });
		}
		linkNodeModules(path.join(staging, 'node_modules'));
		return staging;
	} catch (e) {
		fs.rmSync(staging, { recursive: true, force: true });
		throw e;
	}
}

export function packageApp(options: { quiet?: boolean } = {}): string {
	const staging = stageApp();
	try {
		execFileSync(path.join(ROOT, 'node_modules', '.bin', 'rc-apps'), ['package'], {
			cwd: staging,
			stdio: options.quiet ? 'pipe' : 'inherit',
		});
		const target = zipPath();
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.copyFileSync(path.join(staging, 'dist', path.basename(target)), target);
		return target;
	} finally {
		fs.rmSync(staging, { recursive: true, force: true });
	}
}

/** Packages only when an app file changed (for the test setup). */
export function ensurePackaged(): string {
	return isZipCurrent() ? zipPath() : packageApp({ quiet: true });
}

if (require.main === module) {
	const started = Date.now();
	const zip = packageApp();
	console.log(`${path.relative(ROOT, zip)} (${fs.statSync(zip).size} bytes) in ${Date.now() - started} ms`);
}
