/**
 * The `--flag value` / `--flag=value` reading every command shares (deploy, verify, repro:wedge, npm start, load).
 * Usage errors are one line (UsageError); `--help`/`-h` is a UsageError without a message (the usage, exit 0).
 */
import type { EngineName } from '../test/engine/engines';
import { ALL_ENGINES, parseEngineName } from '../test/engine/engines';

/** Bad usage: the message, then the usage; exit 2 (0 for --help, whose message is empty). */
export class UsageError extends Error {}

export interface ArgSpec {
	/** flags that take a value, e.g. `--url` */
	readonly valued: ReadonlyArray<string>;
	/** flags without a value, e.g. `--json` */
	readonly switches: ReadonlyArray<string>;
	/** other spellings: `-u` → `--username` */
	readonly aliases?: Readonly<Record<string, string>>;
}

/**
 * The flags given, keyed without their dashes (`--user-id` → `user-id`): a string for a valued flag (the last one
 * given wins), `true` for a switch. A value may be no flag (`--…`, an alias such as `-u`): then the flag "needs a value".
 */
export function readArgs(argv: ReadonlyArray<string>, spec: ArgSpec): Record<string, string | true> {
	const given: Record<string, string | true> = {};
	const aliases = spec.aliases || {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
		const rawFlag = eq === -1 ? arg : arg.slice(0, eq);
		const flag = aliases[rawFlag] || rawFlag;
		if (flag === '--help' || flag === '-h') {
			throw new UsageError('');
		}
		if (spec.switches.includes(flag)) {
			if (eq !== -1) {
				throw new UsageError(`${flag} takes no value`);
			}
			given[flag.replace(/^-+/, '')] = true;
			continue;
		}
		if (!spec.valued.includes(flag)) {
			throw new UsageError(
				arg.startsWith('-') ? `unknown option ${JSON.stringify(arg)}` : `unexpected argument ${JSON.stringify(arg)}`,
			);
		}
		let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
		if (value === undefined) {
			value = argv[i + 1];
			// a value may start with one dash (a token can), not be another flag
			if (value === undefined || value.startsWith('--') || value in aliases || value === '-h') {
				throw new UsageError(`${flag} needs a value`);
			}
			i += 1;
		}
		given[flag.replace(/^-+/, '')] = value;
	}
	return given;
}

/** A valued flag's text, undefined when absent or empty. */
export function textOf(given: Record<string, string | true>, key: string): string | undefined {
	const value = given[key];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A valued flag's text as given (empty included), undefined when absent. */
export function valueOf(given: Record<string, string | true>, key: string): string | undefined {
	const value = given[key];
	return typeof value === 'string' ? value : undefined;
}

/** `--engine NAME` of the commands that start the stand-in (`npm start`, `npm run repro:wedge`): a row of test/engine/engines.ts. */
export function engineOf(given: Record<string, string | true>): EngineName | undefined {
	const text = valueOf(given, 'engine');
	if (text === undefined) {
		return undefined;
	}
	const engine = parseEngineName(text);
	if (!engine) {
		throw new UsageError(`--engine: one of ${ALL_ENGINES.join(', ')}, not ${JSON.stringify(text)}`);
	}
	return engine;
}
