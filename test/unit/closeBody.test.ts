import { describe, expect, it } from '@jest/globals';

import { parseCloseBody } from '../../lib/closeBody';

function errorOf(content: unknown): string | undefined {
	const result = parseCloseBody(content);
	return result.ok ? undefined : result.error.kind === 'invalid-params' ? result.error.message : result.error.kind;
}

const long = (n: number, unit = 'x'): string => unit.repeat(n);

describe('parseCloseBody (CONTRACT §5)', () => {
	it('accepts rid + token, with no options', () => {
		expect(parseCloseBody({ rid: 'r1', token: 't1' })).toEqual({ ok: true, value: { rid: 'r1', token: 't1', options: {} } });
	});

	it('accepts options with a comment and tags, and an empty options object', () => {
		expect(parseCloseBody({ rid: 'r', token: 't', options: { comment: 'bye', tags: ['a', 'b'] } })).toEqual({
			ok: true,
			value: { rid: 'r', token: 't', options: { comment: 'bye', tags: ['a', 'b'] } },
		});
		expect(parseCloseBody({ token: 't', options: {}, rid: 'r' })).toEqual({ ok: true, value: { rid: 'r', token: 't', options: {} } });
	});

	it('accepts the limits exactly: 256-character ids, a 4096-character comment (code points), 50 tags of 128, an empty comment', () => {
		const options = { comment: long(4096, '\u{1F4DE}'), tags: Array.from({ length: 50 }, () => long(128)) };
		expect(parseCloseBody({ rid: long(256), token: long(256), options })).toEqual({
			ok: true,
			value: { rid: long(256), token: long(256), options },
		});
		expect(parseCloseBody({ rid: 'r', token: 't', options: { comment: '' } })).toEqual({
			ok: true,
			value: { rid: 'r', token: 't', options: { comment: '' } },
		});
	});

	it.each<[string, unknown, string]>([
		['no body at all (express gives {})', {}, "must have required property 'rid'"],
		['a body that is not an object: undefined', undefined, "the body must be a JSON object with 'rid' and 'token'"],
		['a body that is not an object: an array', [{ rid: 'r', token: 't' }], "the body must be a JSON object with 'rid' and 'token'"],
		['a body that is not an object: a string', 'rid=r&token=t', "the body must be a JSON object with 'rid' and 'token'"],
		['a body that is not an object: null', null, "the body must be a JSON object with 'rid' and 'token'"],
		['missing token', { rid: 'r' }, "must have required property 'token'"],
		['missing rid', { token: 't' }, "must have required property 'rid'"],
		['an unknown field first, whatever else is wrong', { rid: 5, agentId: 'a' }, "must NOT have additional properties: 'agentId'"],
		['a prototype-like field', { rid: 'r', token: 't', constructor: 'x' }, "must NOT have additional properties: 'constructor'"],
		['a long unknown field, cut', { [long(100)]: 1 }, `must NOT have additional properties: '${long(64)}…'`],
		['a number rid', { rid: 5, token: 't' }, "'rid' must be a string"],
		['a null token', { rid: 'r', token: null }, "'token' must be a string"],
		['a repeated form field', { rid: ['a', 'b'], token: 't' }, "'rid' must be a string, not a list (given more than once?)"],
		['an empty rid', { rid: '', token: 't' }, "'rid' must NOT be empty"],
		['a token over 256 characters', { rid: 'r', token: long(257) }, "'token' must NOT have more than 256 characters"],
		['options as a string (a form field)', { rid: 'r', token: 't', options: 'x' }, "'options' must be an object"],
		['options as an array', { rid: 'r', token: 't', options: [] }, "'options' must be an object"],
		['options null', { rid: 'r', token: 't', options: null }, "'options' must be an object"],
		['an unknown option', { rid: 'r', token: 't', options: { close: true } }, "must NOT have additional properties: 'options.close'"],
		['a number comment', { rid: 'r', token: 't', options: { comment: 1 } }, "'options.comment' must be a string"],
		[
			'a comment over 4096 characters',
			{ rid: 'r', token: 't', options: { comment: long(4097) } },
			"'options.comment' must NOT have more than 4096 characters",
		],
		['tags as a string', { rid: 'r', token: 't', options: { tags: 'a' } }, "'options.tags' must be an array"],
		[
			'more than 50 tags',
			{ rid: 'r', token: 't', options: { tags: Array.from({ length: 51 }, () => 't') } },
			"'options.tags' must NOT have more than 50 items",
		],
		['an empty tag', { rid: 'r', token: 't', options: { tags: ['a', ''] } }, "'options.tags[1]' must NOT be empty"],
		['a tag that is not a string', { rid: 'r', token: 't', options: { tags: [['a']] } }, "'options.tags[0]' must be a string"],
		[
			'a tag over 128 characters',
			{ rid: 'r', token: 't', options: { tags: ['a', 'b', long(129)] } },
			"'options.tags[2]' must NOT have more than 128 characters",
		],
		['options checked before what is missing', { rid: 'r', options: { tags: 1 } }, "'options.tags' must be an array"],
	])('rejects %s', (_case, content, message) => {
		expect(errorOf(content)).toBe(message);
	});
});
