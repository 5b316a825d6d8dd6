/**
 * Type-checks the app's own TypeScript (the `.ts` files of tools/package.ts APP_FILES) with the project's tsconfig
 * against the definitions of one row of the engine table: `@rocket.chat/apps-engine/*` resolves to that row's
 * package (an npm alias in node_modules), `@rocket.chat/ui-kit` and `@types/node` to the project's. In-process,
 * through the TypeScript compiler API: no file is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

import { APP_FILES, ROOT } from '../../tools/package';
import type { TableName } from './engines';
import { tableRow } from './engines';

export interface TypeCheckResult {
	/** the compiler's diagnostics, one formatted line each (path relative to the repository); empty: it passes */
	readonly diagnostics: ReadonlyArray<string>;
	/** every apps-engine declaration file the program read, relative to node_modules */
	readonly engineFiles: ReadonlyArray<string>;
	/** the version in the package.json of the package the program resolved the definitions to */
	readonly resolvedVersion: string;
}

/** The app's own `.ts` files, absolute, sorted. */
export function appSourceFiles(root: string = ROOT): Array<string> {
	const found: Array<string> = [];
	const visit = (entry: string): void => {
		const stat = fs.statSync(entry);
		if (stat.isDirectory()) {
			for (const name of fs.readdirSync(entry)) {
				visit(path.join(entry, name));
			}
		} else if (entry.endsWith('.ts')) {
			found.push(entry);
		}
	};
	for (const name of APP_FILES) {
		visit(path.join(root, name));
	}
	return found.sort();
}

function projectOptions(): ts.CompilerOptions {
	const configPath = path.join(ROOT, 'tsconfig.json');
	const read = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
	if (read.error) {
		throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
	}
	return ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath).options;
}

/** The package folder of a row of the engine table. */
export function definitionsRoot(row: TableName): string {
	return path.join(ROOT, 'node_modules', tableRow(row).packageName);
}

/**
 * Type-checks the app (and `extraFiles`, absolute paths, e.g. a snippet that must fail) against the definitions of
 * `row`.
 */
export function typeCheckAgainst(row: TableName, extraFiles: ReadonlyArray<string> = []): TypeCheckResult {
	const packageRoot = definitionsRoot(row);
	const packageJson = path.join(packageRoot, 'package.json');
	if (!fs.existsSync(packageJson)) {
		throw new Error(`${tableRow(row).packageName} is not installed (npm ci installs every row of the engine table)`);
	}
	const options: ts.CompilerOptions = {
		...projectOptions(),
		noEmit: true,
		paths: { '@rocket.chat/apps-engine/*': [path.join(packageRoot, '*')] },
	};
	const program = ts.createProgram([...appSourceFiles(), ...extraFiles], options);
	const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
		const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
		if (!diagnostic.file || diagnostic.start === undefined) {
			return `TS${diagnostic.code}: ${text}`;
		}
		const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
		return `${path.relative(ROOT, diagnostic.file.fileName)}:${line + 1}:${character + 1} TS${diagnostic.code}: ${text}`;
	});
	// node_modules may be a symlink: the compiler reports real paths
	const modules = fs.realpathSync(path.join(ROOT, 'node_modules'));
	const engineFiles = program
		.getSourceFiles()
		.map((file) => path.relative(modules, fs.realpathSync(file.fileName)))
		.filter((file) => !file.startsWith('..') && /apps-engine/.test(file.split(path.sep).slice(0, 2).join('/')));
	const resolvedVersion = (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string }).version;
	return { diagnostics, engineFiles, resolvedVersion };
}
