/** A slash command's `params` string → the app's `args`, as Rocket.Chat's parseParameters splits it. */
import { describe, expect, it } from '@jest/globals';

import { parseCommandParams } from './commandParams';

describe('parseCommandParams', () => {
	it.each([
		['', []],
		['   ', []],
		['help', ['help']],
		['kCJDd5peKiZnGJLPq json', ['kCJDd5peKiZnGJLPq', 'json']],
		['  a \t b\nc  ', ['a', 'b', 'c']],
		['"two words" x', ['two words', 'x']],
		["'single quoted'", ['single quoted']],
		['"a""b"', ['a', 'b']],
		['"say \\"hi\\""', ['say "hi"']],
		['"tab\there"', ['tab\there']],
		['unterminated "quote here', ['unterminated', '"quote', 'here']],
	])('%j', (params, expected) => {
		expect(parseCommandParams(params)).toEqual(expected);
	});
});
