/**
 * The host's converters against what Rocket.Chat's converters do (6.x for engine 1.42, 7.x for 1.62).
 * No engine here: these are plain functions over the seed documents.
 */
import { describe, expect, test } from '@jest/globals';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';

import { serializeRoom } from '../../../lib/serialize';
import { RcConverters, transformMappedData } from './converters';
import { SEED, documentedRoom, seedData } from './seed';
import type { RcData } from './types';

describe('transformMappedData', () => {
	test('copies mapped fields, keeps the rest in _unmappedProperties_, never mutates the source', async () => {
		const source = { _id: 'a', size: 10, when: new Date('2020-01-01T00:00:00.000Z'), nested: { x: 1 } };
		const out = await transformMappedData(source, [
			['id', '_id'],
			['big', (d) => (d.size as number) > 5],
			['missing', 'nope'],
		]);
		expect(out).toEqual({ id: 'a', big: true, _unmappedProperties_: { size: 10, when: source.when, nested: { x: 1 } } });
		expect(out).not.toHaveProperty('missing');
		expect((out._unmappedProperties_ as { when: Date }).when).not.toBe(source.when);
		expect(source).toEqual({ _id: 'a', size: 10, when: new Date('2020-01-01T00:00:00.000Z'), nested: { x: 1 } });
	});
});

describe.each(['6.x', '7.x'] as const)('room converter, %s', (flavor) => {
	test('the documented room', async () => {
		const db = seedData();
		const room = (await new RcConverters(db, flavor).convertRoomById(SEED.roomId)) as Record<string, unknown>;
		expect(Object.keys(room)).toEqual([
			'id',
			'displayName',
			'messageCount',
			'createdAt',
			'updatedAt',
			'lastModifiedAt',
			'customFields',
			'isWaitingResponse',
			'isOpen',
			'isDefault',
			'isReadOnly',
			'displaySystemMessages',
			'type',
			'visitor',
			'visitorChannelInfo',
			'department',
			'servedBy',
			'_unmappedProperties_',
		]);
		expect(room.createdAt).toEqual(new Date('2021-07-09T20:12:19.795Z'));
		expect(room.createdAt).toBeInstanceOf(Date);
		expect(room.visitorChannelInfo).toEqual({ lastMessageTs: new Date('2021-07-09T20:20:58.755Z') });
		expect(room.servedBy).toMatchObject({ id: SEED.agentId, username: 'kim.jane', type: 'user', isEnabled: true });
		expect(room.servedBy).not.toHaveProperty('ts');
		const unmapped = room._unmappedProperties_ as Record<string, unknown>;
		expect(unmapped.v).toEqual(documentedRoom().v);
		expect(unmapped).not.toHaveProperty('servedBy');
		expect(unmapped).not.toHaveProperty('sysMes');
		// the user converter of 7.x knows bio/statusText, 6.x does not
		expect(Object.prototype.hasOwnProperty.call(room.servedBy, 'bio')).toBe(flavor === '7.x');
	});

	test('defaults and lookups: sysMes true, default/ro false, missing users and disabled visitors vanish', async () => {
		const db = seedData();
		db.rooms.push({
			_id: 'r1',
			t: 'l',
			v: { _id: 'ghost', token: 'x' },
			servedBy: { _id: 'nobody', username: 'nobody', ts: new Date() },
		});
		const room = (await new RcConverters(db, flavor).convertRoomById('r1')) as Record<string, unknown>;
		expect(room).toMatchObject({ id: 'r1', type: 'l', isDefault: false, isReadOnly: false, displaySystemMessages: true });
		expect(room).not.toHaveProperty('visitor');
		expect(room).not.toHaveProperty('servedBy');
		expect(room.visitorChannelInfo).toEqual({});

		db.visitors[0].disabled = true;
		const documented = (await new RcConverters(db, flavor).convertRoomById(SEED.roomId)) as Record<string, unknown>;
		expect(documented).not.toHaveProperty('visitor');
	});

	test('a closed room: closer/closedBy are 7.x fields', async () => {
		const room = (await new RcConverters(seedData(), flavor).convertRoomById(SEED.closedRoomId)) as Record<string, unknown>;
		expect(room.servedBy).toMatchObject({ id: SEED.agentId });
		if (flavor === '7.x') {
			expect(room.closer).toBe('user');
			expect(room.closedBy).toMatchObject({ id: SEED.agentId, username: 'kim.jane' });
			expect(room._unmappedProperties_).not.toHaveProperty('closedBy');
		} else {
			expect(room).not.toHaveProperty('closedBy');
			expect(room._unmappedProperties_).toMatchObject({ closer: 'user', closedBy: { _id: SEED.agentId, username: 'kim.jane' } });
		}
	});

	test('a VoIP room keeps its call fields unmapped, and its type as is', async () => {
		const room = (await new RcConverters(seedData(), flavor).convertRoomById(SEED.voipRoomId)) as Record<string, unknown>;
		expect(room.type).toBe('v');
		expect(room._unmappedProperties_).toMatchObject({
			queue: 'support',
			direction: 'inbound',
			callUniqueId: '1625904000.42',
			callDuration: 300000,
			callStarted: new Date('2021-07-10T08:00:01.000Z'),
		});
	});

	test('a channel: creator read by id, default/name mapped', async () => {
		const room = (await new RcConverters(seedData(), flavor).convertRoomById(SEED.channelId)) as Record<string, unknown>;
		expect(room).toMatchObject({ id: 'GENERAL', type: 'c', slugifiedName: 'general', isDefault: true, creator: { id: SEED.callerId } });
	});
});

describe('visitor, user, department and message converters', () => {
	test('visitor: mapped fields, 7.x adds activity', async () => {
		const db = seedData();
		db.visitors[0].activity = ['called'];
		const v6 = (await new RcConverters(db, '6.x').convertVisitorByToken(SEED.visitorToken)) as Record<string, unknown>;
		const v7 = (await new RcConverters(db, '7.x').convertVisitorByToken(SEED.visitorToken)) as Record<string, unknown>;
		expect(v6).toMatchObject({
			id: SEED.visitorId,
			token: SEED.visitorToken,
			username: 'guest-165',
			name: 'Mary',
			department: SEED.departmentId,
		});
		expect(v6._unmappedProperties_).toMatchObject({ activity: ['called'] });
		expect(v7.activity).toEqual(['called']);
	});

	test('user: Rocket.Chat field names, unknown type/status upper-cased, language kept', async () => {
		const db = seedData();
		const user = new RcConverters(db, '7.x').convertUserToApp(db.users[1]) as Record<string, unknown>;
		expect(user).toMatchObject({
			id: SEED.agentId,
			username: 'kim.jane',
			isEnabled: true,
			type: 'user',
			statusConnection: 'online',
			settings: { preferences: { language: 'pt-BR' } },
		});
		const odd = new RcConverters(db, '7.x').convertUserToApp({ ...db.users[1], type: 'user', statusConnection: 'weird' }) as Record<
			string,
			unknown
		>;
		expect(odd.statusConnection).toBe('WEIRD');
	});

	test('department: numAgents -> numberOfAgents', async () => {
		const dep = (await new RcConverters(seedData(), '7.x').convertDepartmentById(SEED.departmentId)) as Record<string, unknown>;
		expect(dep).toMatchObject({ id: SEED.departmentId, name: 'Sales', enabled: true, numberOfAgents: 1 });
		expect(dep._unmappedProperties_).toMatchObject({ parentId: 'sriw2wmP2Zz2pPrre' });
	});

	test('message: app message -> document -> app message', async () => {
		const db = seedData();
		const conv = new RcConverters(db, '7.x');
		const room = await conv.convertRoomById(SEED.channelId);
		const sender = conv.convertUserToApp(db.users[1]);
		const doc = conv.convertAppMessage({ room, sender, text: 'hi', threadId: 't1', groupable: false }, () => 'm1');
		expect(doc).toMatchObject({
			_id: 'm1',
			rid: SEED.channelId,
			msg: 'hi',
			tmid: 't1',
			groupable: false,
			u: { _id: SEED.agentId, username: 'kim.jane' },
		});
		expect(() => conv.convertAppMessage({ text: 'no room' }, () => 'm2')).toThrow('Invalid room provided on the message.');
		db.messages = [doc];
		const back = (await conv.convertMessageById('m1')) as Record<string, unknown>;
		expect(back).toMatchObject({ id: 'm1', text: 'hi', threadId: 't1', room: { id: SEED.channelId }, sender: { id: SEED.agentId } });
	});
});

/**
 * The converters of 8.7+ (ConverterRevision in ../engines.ts): no engine of those lines runs here, so the
 * definitions rows select them and this is where they are proven, down to what the app then answers.
 */
describe.each(['before-8.7', '8.7+'] as const)('converters %s (flavour 7.x)', (revision) => {
	const from87 = revision === '8.7+';
	const federatedRoom = (): RcData => {
		const db = seedData();
		const room = db.rooms.find((r) => r._id === SEED.roomId)!;
		Object.assign(room, { federated: true, federation: { version: 1 }, abacAttributes: [{ key: 'dept', values: ['sales'] }] });
		const agent = db.users.find((u) => u._id === SEED.agentId)!;
		agent.freeSwitchExtension = '1001';
		return db;
	};

	test(
		from87 ? 'room: federated/federation mapped, abacAttributes hidden' : 'room: federated, federation, abacAttributes unmapped',
		async () => {
			const room = (await new RcConverters(federatedRoom(), '7.x', revision).convertRoomById(SEED.roomId)) as Record<string, unknown>;
			const unmapped = room._unmappedProperties_ as Record<string, unknown>;
			expect([
				room.isFederated,
				room.federation,
				'federated' in unmapped,
				'federation' in unmapped,
				'abacAttributes' in unmapped,
			]).toEqual(from87 ? [true, { version: 1 }, false, false, false] : [undefined, undefined, true, true, true]);
		},
	);

	test(
		from87 ? 'user: isFederated, federation, sipExtension from freeSwitchExtension' : 'user: no federation fields, no sipExtension',
		() => {
			const db = federatedRoom();
			const user = new RcConverters(db, '7.x', revision).convertUserToApp(db.users.find((u) => u._id === SEED.agentId)) as Record<
				string,
				unknown
			>;
			expect([user.sipExtension, 'isFederated' in user, 'federation' in user]).toEqual(
				from87 ? ['1001', true, true] : [undefined, false, false],
			);
		},
	);

	test(`the app's answer ${from87 ? 'loses' : 'keeps'} the room document's federated and abacAttributes`, async () => {
		const room = await new RcConverters(federatedRoom(), '7.x', revision).convertRoomById(SEED.roomId);
		const answer = serializeRoom(room as unknown as ILivechatRoom) as Record<string, unknown>;
		expect([answer.federated, answer.federation, answer.abacAttributes]).toEqual(
			from87 ? [undefined, undefined, undefined] : [true, { version: 1 }, [{ key: 'dept', values: ['sales'] }]],
		);
	});
});
