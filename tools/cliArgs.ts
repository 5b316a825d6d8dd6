/**
 * The `--flag value` / `--flag=value` reading the commands of tools/ share (`npm run deploy`, `npm run verify`).
 * Usage errors are one line (UsageError); `--help`/`-h` is a UsageError without a message (the usage, exit 0).
 */

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
 * given wins), `true` for a switch. A value may not start with `-` (then the flag "needs a value").
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
			throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
		}
		let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
		if (value === undefined) {
			value = argv[i + 1];
			if (value === undefined || value.startsWith('-')) {
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
