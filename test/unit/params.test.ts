import { describe, expect, it } from '@jest/globals';

import { parseQuery } from '../../lib/params';

const long = 'x'.repeat(257);

function errorOf(query: unknown): string | undefined {
	const result = parseQuery(query);
	return result.ok ? undefined : result.error.kind === 'invalid-params' ? result.error.message : result.error.kind;
}

describe('parseQuery (CONTRACT §1.1)', () => {
	it('accepts token + agentId', () => {
		expect(parseQuery({ token: 't1', agentId: 'a1' })).toEqual({ ok: true, value: { token: 't1', agentId: 'a1' } });
	});

	it('accepts token + rid', () => {
		expect(parseQuery({ token: 't1', rid: 'r1' })).toEqual({ ok: true, value: { token: 't1', rid: 'r1' } });
	});

	it('accepts token + agentId + rid together (the documented curl)', () => {
		expect(parseQuery({ token: 't1', agentId: 'a1', rid: 'r1' })).toEqual({
			ok: true,
			value: { token: 't1', agentId: 'a1', rid: 'r1' },
		});
	});

	it.each(['inbound', 'outbound'])('accepts direction %s', (direction) => {
		expect(parseQuery({ token: 't', agentId: 'a', direction })).toEqual({ ok: true, value: { token: 't', agentId: 'a', direction } });
	});

	it('accepts values of exactly 256 characters', () => {
		const max = 'y'.repeat(256);
		expect(parseQuery({ token: max, agentId: max, rid: max })).toEqual({ ok: true, value: { token: max, agentId: max, rid: max } });
	});

	it.each<[string, unknown, string]>([
		['missing token', { agentId: 'a' }, "must have required property 'token'"],
		['no query at all', undefined, "must have required property 'token'"],
		['neither rid nor agentId', { token: 't' }, "must have required property 'agentId'"],
		['an unknown parameter', { token: 't', agentId: 'a', foo: '1' }, "must NOT have additional properties: 'foo'"],
		['an empty parameter name', { token: 't', agentId: 'a', '': 'x' }, "must NOT have additional properties: ''"],
		['a repeated parameter', { token: ['a', 'b'], agentId: 'a' }, "'token' must be given once, not repeated"],
		['a repeated agentId', { token: 't', agentId: ['a', 'b'] }, "'agentId' must be given once, not repeated"],
		['an empty token', { token: '', agentId: 'a' }, "'token' must NOT be empty"],
		['an empty agentId', { token: 't', agentId: '' }, "'agentId' must NOT be empty"],
		['an empty rid', { token: 't', rid: '' }, "'rid' must NOT be empty"],
		['a token over 256 characters', { token: long, agentId: 'a' }, "'token' must NOT have more than 256 characters"],
		['an agentId over 256 characters', { token: 't', agentId: long }, "'agentId' must NOT have more than 256 characters"],
		['a rid over 256 characters', { token: 't', rid: long }, "'rid' must NOT have more than 256 characters"],
		['a number where a string belongs', { token: 5, agentId: 'a' }, "'token' must be a string"],
		[
			'another direction',
			{ token: 't', agentId: 'a', direction: 'sideways' },
			"'direction' must be equal to one of the allowed values: inbound, outbound",
		],
		['an empty direction', { token: 't', agentId: 'a', direction: '' }, "'direction' must NOT be empty"],
	])('rejects %s', (_case, query, message) => {
		expect(errorOf(query)).toBe(message);
	});

	it('counts characters as code points, as the core did: 256 emoji pass, 257 do not', () => {
		const emoji = '\u{1F4DE}';
		expect(parseQuery({ token: emoji.repeat(256), agentId: 'a' }).ok).toBe(true);
		expect(errorOf({ token: emoji.repeat(257), agentId: 'a' })).toBe("'token' must NOT have more than 256 characters");
	});

	it('names an unknown parameter before a missing one', () => {
		expect(errorOf({ bogus: 'x' })).toBe("must NOT have additional properties: 'bogus'");
	});

	it('shortens a very long unknown name in the message', () => {
		const name = 'k'.repeat(500);
		expect(errorOf({ token: 't', agentId: 'a', [name]: 'v' })).toBe(`must NOT have additional properties: '${'k'.repeat(64)}…'`);
	});

	it('ignores inherited properties and treats hostile own keys as unknown', () => {
		expect(errorOf(Object.create({ token: 't', agentId: 'a' }))).toBe("must have required property 'token'");
		expect(errorOf({ token: 't', agentId: 'a', constructor: 'x' })).toBe("must NOT have additional properties: 'constructor'");
		const withProto = JSON.parse('{"token":"t","agentId":"a","__proto__":"x"}') as unknown;
		expect(errorOf(withProto)).toBe("must NOT have additional properties: '__proto__'");
	});
});
