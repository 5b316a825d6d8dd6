/**
 * How Rocket.Chat turns the `params` string of a slash command into the `args` an app's command receives
 * (apps/meteor/lib/utils/parseParameters.ts, used by the AppCommandsBridge): split on spaces, tabs and new lines,
 * empty words dropped, a "quoted" or 'quoted' part stays one argument (without its quotes; `\"` inside becomes `"`).
 * Re-written here after its behaviour.
 */

/** Stand-ins for what is inside quotes while splitting (characters a typed command does not contain). */
const OPEN = '\u0086';
const CLOSE = '\u0087';
const INNER: Array<[string, string]> = [
	[' ', '\u2008'],
	['\n', '\u008B'],
	['\r', '\u008C'],
	['\t', '\u008A'],
];

function words(line: string): string[] {
	return line
		.replace(/\n\r/g, '\n')
		.split(/[ \n\r\t]/)
		.filter((word) => word !== '');
}

export function parseCommandParams(params: string): string[] {
	if (!params.trim()) {
		return [];
	}
	const quoted = params.match(/(["'])(?:(?=(\\?))\2[\s\S])*?\1/g);
	if (!quoted) {
		return words(params);
	}
	let line = params;
	for (const part of quoted) {
		let masked = part.replace(/^['"]/, OPEN).replace(/['"]$/, CLOSE);
		for (const [plain, stand] of INNER) {
			masked = masked.split(plain).join(stand);
		}
		line = line.replace(part, () => masked);
	}
	line = line.split(`${CLOSE}${OPEN}`).join(`${CLOSE} ${OPEN}`);
	return words(line).map((word) => {
		let restored = word;
		for (const [plain, stand] of INNER) {
			restored = restored.split(stand).join(plain);
		}
		return restored.replace(/[\u0086\u0087]/g, '').replace(/\\"/g, '"');
	});
}
