/** The query string as express 4 (qs, allowPrototypes) hands it to an app endpoint on Rocket.Chat. */
import { describe, expect, it } from '@jest/globals';

import { hasOwnProtoKey, parseQueryString } from './query';

describe('parseQueryString (express 4 / qs 6.13, allowPrototypes)', () => {
	it.each([
		['', {}],
		['token=a&agentId=b', { token: 'a', agentId: 'b' }],
		['token=a&token=b', { token: ['a', 'b'] }],
		['token=a&token=b&token=c', { token: ['a', 'b', 'c'] }],
		['token[]=a', { token: ['a'] }],
		['token[x]=a', { token: { x: 'a' } }],
		['token[1]=a', { token: ['a'] }],
		['token[21]=a', { token: { '21': 'a' } }],
		['a%5Bb%5D=1', { a: { b: '1' } }],
		['a+b=c%20d+e', { 'a b': 'c d e' }],
		['a=%ZZ', { a: '%ZZ' }],
		['token', { token: '' }],
		['token=', { token: '' }],
		['=x&&', {}],
		['x=1=2', { x: '1=2' }],
		['a[b]=1&a=c', { a: { b: '1', c: true } }],
		['a=c&a[b]=1', { a: ['c', { b: '1' }] }],
		['a[b][c][d][e][f][g][h]=1', { a: { b: { c: { d: { e: { f: { '[g][h]': '1' } } } } } } }],
		['toString=x&hasOwnProperty=y', { toString: 'x', hasOwnProperty: 'y' }],
		['__proto__=x&token=t', { token: 't' }],
		['a[__proto__]=1', { a: {} }],
		['__proto__[a]=1', {}],
		['token=8s7e9ony6ctl27e1qf8kue&agentId=6vHSSqdBHdm2R4gfi', { token: '8s7e9ony6ctl27e1qf8kue', agentId: '6vHSSqdBHdm2R4gfi' }],
	])('%j', (text, expected) => {
		const parsed = parseQueryString(text);
		expect(parsed).toEqual(expected);
		expect(JSON.stringify(parsed)).toBe(JSON.stringify(expected));
	});

	it('never makes an own __proto__ key, and its objects have the ordinary prototype', () => {
		for (const text of [
			'__proto__=x',
			'__proto__[a]=1',
			'a[__proto__]=1',
			'a[b]=__proto__&a[b][c]=1',
			'a=__proto__&a[b]=1',
			'a[]=x&a[__proto__]=y',
		]) {
			const parsed = parseQueryString(text);
			expect([text, hasOwnProtoKey(parsed), Object.getPrototypeOf(parsed) === Object.prototype]).toEqual([text, false, true]);
		}
	});

	it('hasOwnProtoKey finds the key at any depth', () => {
		expect([hasOwnProtoKey(JSON.parse('{"a":[{"__proto__":1}]}')), hasOwnProtoKey({ a: [{ b: 1 }] }), hasOwnProtoKey('x')]).toEqual([
			true,
			false,
			false,
		]);
	});
});
