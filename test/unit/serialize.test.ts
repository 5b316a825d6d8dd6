import { describe, expect, it } from '@jest/globals';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';

import { serializeRoom, toJsonValue } from '../../lib/serialize';

/** Engine room objects as a Rocket.Chat server hands them to apps, built by hand for the pure cases. */
function engineRoom(fields: Record<string, unknown>): ILivechatRoom {
	return {
		id: 'R1',
		type: 'l',
		isDefault: false,
		isReadOnly: false,
		displaySystemMessages: true,
		...fields,
	} as unknown as ILivechatRoom;
}

describe('serializeRoom', () => {
	it('keeps only what is known: absent optional fields stay absent, no nulls', () => {
		expect(serializeRoom(engineRoom({}))).toEqual({ _id: 'R1', t: 'l', default: false, ro: false, sysMes: true });
		expect(JSON.stringify(serializeRoom(engineRoom({ displayName: undefined, _unmappedProperties_: { x: undefined } })))).toBe(
			'{"_id":"R1","t":"l","default":false,"ro":false,"sysMes":true}',
		);
	});

	it('drops mapped fields that arrive as null (msgpack turns undefined into nil on the Deno runtime)', () => {
		const room = serializeRoom(
			engineRoom({
				displayName: null,
				department: null,
				visitor: { id: 'V1', username: 'guest-1', token: 'tok', status: null },
				servedBy: { id: 'A1', username: 'kim.jane', ts: null },
				_unmappedProperties_: { lastMessage: { msg: null } },
			}),
		);
		expect(room).toEqual({
			_id: 'R1',
			t: 'l',
			v: { _id: 'V1', username: 'guest-1', token: 'tok' },
			default: false,
			ro: false,
			sysMes: true,
			lastMessage: { msg: null },
			servedBy: { _id: 'A1', username: 'kim.jane' },
		});
	});

	it('writes a closed room without `open` when the engine gave none, and with false when it did', () => {
		const closedAt = new Date('2024-05-01T10:00:00.000Z');
		const room = serializeRoom(engineRoom({ closedAt, closer: 'user', closedBy: { id: 'A1', username: 'kim.jane', name: 'Kim' } }));
		expect('open' in room).toBe(false);
		expect(room).toEqual({
			_id: 'R1',
			t: 'l',
			default: false,
			ro: false,
			sysMes: true,
			closedAt: '2024-05-01T10:00:00.000Z',
			closer: 'user',
			closedBy: { _id: 'A1', username: 'kim.jane' },
		});
		expect(serializeRoom(engineRoom({ isOpen: false })).open).toBe(false);
	});

	it('copies a VoIP room call fields back from the unmapped properties, dates as ISO strings', () => {
		const room = serializeRoom(
			engineRoom({
				type: 'v',
				isOpen: true,
				createdAt: new Date('2024-06-01T08:00:00.000Z'),
				visitor: { id: 'V1', username: 'guest-1', token: 'tok', status: 'online', name: 'Ann' },
				servedBy: { id: 'A1', username: 'kim.jane', name: 'Kim', roles: ['livechat-agent'] },
				_unmappedProperties_: {
					callStarted: new Date('2024-06-01T08:00:05.123Z'),
					callDuration: 93000,
					callWaitingTime: 4000,
					callTotalHoldTime: 0,
					queue: 'sales',
					callUniqueId: '1717228800.42',
					direction: 'inbound',
					joinCode: 'secret',
					e2e: { key: 'k' },
					members: ['x'],
					importIds: ['i'],
				},
			}),
		);
		expect(room).toEqual({
			_id: 'R1',
			t: 'v',
			v: { _id: 'V1', username: 'guest-1', token: 'tok', status: 'online' },
			default: false,
			ro: false,
			sysMes: true,
			open: true,
			ts: '2024-06-01T08:00:00.000Z',
			servedBy: { _id: 'A1', username: 'kim.jane' },
			callStarted: '2024-06-01T08:00:05.123Z',
			callDuration: 93000,
			callWaitingTime: 4000,
			callTotalHoldTime: 0,
			queue: 'sales',
			callUniqueId: '1717228800.42',
			direction: 'inbound',
		});
	});

	it('keeps servedBy.ts only where the engine gave it', () => {
		const ts = new Date('2021-07-09T20:19:29.422Z');
		expect(serializeRoom(engineRoom({ servedBy: { id: 'A1', username: 'kim.jane', ts } })).servedBy).toEqual({
			_id: 'A1',
			username: 'kim.jane',
			ts: '2021-07-09T20:19:29.422Z',
		});
	});

	it('puts keys in the documented order, then the rest', () => {
		const room = serializeRoom(
			engineRoom({
				isWaitingResponse: true,
				source: { type: 'app', id: 'x' },
				messageCount: 3,
				displayName: 'Mary',
				_unmappedProperties_: { zeta: 1, metrics: {}, usersCount: 2 },
			}),
		);
		expect(Object.keys(room)).toEqual([
			'_id',
			'fname',
			't',
			'default',
			'ro',
			'sysMes',
			'msgs',
			'usersCount',
			'metrics',
			'waitingResponse',
			'zeta',
			'source',
		]);
	});

	it('never changes a prototype, whatever the unmapped keys', () => {
		const unmapped = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c"}') as Record<string, unknown>;
		const room = serializeRoom(engineRoom({ _unmappedProperties_: unmapped }));
		expect(Object.getPrototypeOf(room)).toBe(Object.prototype);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(JSON.parse(JSON.stringify(room))).toEqual(
			JSON.parse('{"_id":"R1","t":"l","default":false,"ro":false,"sysMes":true,"__proto__":{"polluted":true},"constructor":"c"}'),
		);
	});
});

describe('toJsonValue', () => {
	it('turns dates deep inside into ISO strings and drops invalid ones', () => {
		expect(toJsonValue({ a: [new Date(0), { b: new Date('x') }], c: 'd' })).toEqual({ a: ['1970-01-01T00:00:00.000Z', {}], c: 'd' });
	});
});
