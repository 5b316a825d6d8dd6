/**
 * `--bundle`: the packaged zip with its compiled files bundled into the class file, by the engine's own bundler
 * (`bundleLegacyApp` of @rocket.chat/apps-engine 1.62, esbuild): what engine 1.62 does to an unbundled app at every
 * install, and what newer `rc-apps package` versions do at packaging time.
 *
 * It matters on 1.42: that engine evaluates every file an app `require`s in its own vm2 NodeVM, so each call from
 * one of the app's modules into another crosses a vm2 bridge (proxies on every argument and result). One file, one
 * sandbox. The bench uses it to show what shipping a bundled zip would change; the real zip is not touched.
 */
import AdmZip from 'adm-zip';
import * as fs from 'fs';
import * as path from 'path';

import { CACHE_DIR, enginePackageRoot } from '../engine/host/engine';

interface AppPackage {
	info: { classFile: string };
	files: Record<string, string>;
}

type BundleLegacyApp = (appPackage: AppPackage) => Promise<void>;

async function loadBundler(): Promise<BundleLegacyApp> {
	const specifier: string = path.join(enginePackageRoot('1.62'), 'server', 'runtime', 'deno', 'bundler.js');
	return ((await import(specifier)) as { bundleLegacyApp: BundleLegacyApp }).bundleLegacyApp;
}

/** A copy of `zipPath` whose only .js file is the class file, bundled; returns its path (under test/.cache/bench/). */
export async function bundledCopy(zipPath: string): Promise<string> {
	const zip = new AdmZip(zipPath);
	const info = JSON.parse(zip.readAsText('app.json')) as { classFile: string };
	const classFile = info.classFile.replace('.ts', '.js');
	const files: Record<string, string> = {};
	for (const entry of zip.getEntries()) {
		if (!entry.isDirectory && entry.entryName.endsWith('.js')) {
			files[path.normalize(entry.entryName)] = entry.getData().toString('utf8');
		}
	}
	const appPackage: AppPackage = { info: { classFile }, files };
	await (
		await loadBundler()
	)(appPackage);
	const out = new AdmZip();
	for (const entry of zip.getEntries()) {
		if (!entry.isDirectory && !entry.entryName.endsWith('.js')) {
			out.addFile(entry.entryName, entry.getData());
		}
	}
	out.addFile(classFile, Buffer.from(appPackage.files[classFile], 'utf8'));
	const dir = path.join(CACHE_DIR, 'bench');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `bundled-${path.basename(zipPath)}`);
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, out.toBuffer());
	fs.renameSync(tmp, file);
	return file;
}
