import { describe, expect, it } from '@jest/globals';
import type { ILivechatRoom } from '@rocket.chat/apps-engine/definition/livechat';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Reply } from '../../lib/command';
import { answerCommand, parseCommandArgs } from '../../lib/command';
import { formatDate, formatDuration } from '../../lib/roomCard';
import { applySetting, defaultConfig } from '../../lib/settings';

function agent(language?: string, roles: Array<string> = ['livechat-agent']): IUser {
	return { id: 'A1', username: 'kim.jane', name: 'Kim Jane', roles, settings: { preferences: { language } } } as unknown as IUser;
}

function liveRoom(fields: Record<string, unknown> = {}): ILivechatRoom {
	return {
		id: 'R1',
		type: 'l',
		visitor: { id: 'V1', username: 'guest-165', name: 'Mary', token: 'tok', status: 'offline' },
		servedBy: { id: 'A1', username: 'kim.jane', name: 'Kim Jane' },
		department: { id: 'D1', name: 'Sales' },
		isOpen: true,
		isWaitingResponse: true,
		createdAt: new Date('2021-07-09T20:12:19.795Z'),
		lastModifiedAt: new Date('2021-07-09T20:20:58.755Z'),
		messageCount: 7,
		source: { type: 'widget' },
		...fields,
	} as unknown as ILivechatRoom;
}

const channel = { id: 'GENERAL', type: 'c' } as unknown as IRoom;

async function run(
	args: Array<string>,
	options: { sender?: IUser; room?: IRoom; rooms?: Array<IRoom>; config?: typeof defaultConfig } = {},
): Promise<Reply> {
	const rooms = options.rooms || [liveRoom()];
	return answerCommand({
		sender: options.sender || agent(),
		room: options.room || channel,
		args,
		config: options.config || defaultConfig,
		source: { roomById: async (id) => rooms.find((room) => room.id === id) },
		appId: 'app-id',
		logger: { error: () => undefined },
	});
}

const USAGE =
	'Usage: `/voiproom` in an omnichannel room shows that room; `/voiproom <room id>` shows that room; `/voiproom <room id> json` shows the voip/room REST answer for it; `/voiproom help` shows this.';

describe('parseCommandArgs', () => {
	it.each<[Array<string>, unknown]>([
		[[], { kind: 'show', json: false }],
		[['', ' '], { kind: 'show', json: false }],
		[['help'], { kind: 'help' }],
		[['HELP'], { kind: 'help' }],
		[['json'], { kind: 'show', json: true }],
		[['R1'], { kind: 'show', rid: 'R1', json: false }],
		[['R1', 'json'], { kind: 'show', rid: 'R1', json: true }],
		[['R1', 'yaml'], { kind: 'bad', key: 'voiproom_error_unknown_option', params: { option: 'yaml' } }],
		[['R1', 'json', 'x'], { kind: 'bad', key: 'voiproom_error_too_many_arguments' }],
	])('%j', (args, action) => {
		expect(parseCommandArgs(args)).toEqual(action);
	});
});

describe('answerCommand', () => {
	it('shows the room the command was typed in, as blocks with the same facts as text', async () => {
		const reply = await run([], { room: liveRoom() });
		expect(reply.text).toBe(
			[
				'Livechat room of Mary',
				'Visitor: Mary (@guest-165), offline',
				'Agent: Kim Jane (@kim.jane)',
				'Department: Sales',
				'Status: open, waiting for an answer',
				'Created: 2021-07-09 20:12:19 UTC',
				'Last activity: 2021-07-09 20:20:58 UTC',
				'Messages: 7',
				'Source: widget',
				'Room id: R1',
			].join('\n'),
		);
		expect(reply.blocks).toEqual([
			{ type: 'section', appId: 'app-id', blockId: 'voiproom-title', text: { type: 'mrkdwn', text: '*Livechat room of Mary*' } },
			{
				type: 'section',
				appId: 'app-id',
				blockId: 'voiproom-facts-0',
				fields: [
					{ type: 'mrkdwn', text: '*Visitor*\nMary (@guest-165), offline' },
					{ type: 'mrkdwn', text: '*Agent*\nKim Jane (@kim.jane)' },
					{ type: 'mrkdwn', text: '*Department*\nSales' },
					{ type: 'mrkdwn', text: '*Status*\nopen, waiting for an answer' },
					{ type: 'mrkdwn', text: '*Created*\n2021-07-09 20:12:19 UTC' },
					{ type: 'mrkdwn', text: '*Last activity*\n2021-07-09 20:20:58 UTC' },
					{ type: 'mrkdwn', text: '*Messages*\n7' },
					{ type: 'mrkdwn', text: '*Source*\nwidget' },
					{ type: 'mrkdwn', text: '*Room id*\nR1' },
				],
			},
		]);
	});

	it('shows a closed VoIP room by id with queue, direction and call duration, in Portuguese for a pt-BR agent', async () => {
		const voip = liveRoom({
			id: 'V9',
			type: 'v',
			isOpen: false,
			servedBy: undefined,
			department: undefined,
			_unmappedProperties_: { queue: 'sales', direction: 'inbound', callDuration: 93400 },
		});
		const reply = await run(['V9'], { rooms: [voip], sender: agent('pt-BR') });
		expect(reply.text).toBe(
			[
				'Sala de chamada VoIP de Mary',
				'Visitante: Mary (@guest-165), offline',
				'Agente: nenhum',
				'Departamento: nenhum',
				'Situação: fechada',
				'Criada em: 2021-07-09 20:12:19 UTC',
				'Última atividade: 2021-07-09 20:20:58 UTC',
				'Mensagens: 7',
				'Origem: widget',
				'Fila: sales',
				'Direção: entrada',
				'Duração da chamada: 1 min 33 s',
				'Id da sala: V9',
			].join('\n'),
		);
		expect(reply.blocks && reply.blocks.length).toBe(3);
	});

	it('shows the exact REST body with json', async () => {
		const reply = await run(['R1', 'json']);
		const [title, ...rest] = reply.text.split('\n');
		expect(title).toBe('REST answer of voip/room for room R1:');
		expect(rest[0]).toBe('```json');
		expect(rest[rest.length - 1]).toBe('```');
		const body = JSON.parse(rest.slice(1, -1).join('\n')) as { room: { _id: string; t: string }; newRoom: boolean; success: boolean };
		expect([body.room._id, body.room.t, body.newRoom, body.success]).toEqual(['R1', 'l', false, true]);
		expect(reply.blocks).toBeUndefined();
	});

	it.each<[string, Array<string>, IRoom | undefined, string]>([
		['help', ['help'], undefined, USAGE],
		['an unknown room', ['nope'], undefined, `There is no room with the id nope.\n${USAGE}`],
		['a room that is not omnichannel', ['GENERAL'], undefined, `Room GENERAL is not an omnichannel room.\n${USAGE}`],
		['no argument outside an omnichannel room', [], channel, `This is not an omnichannel room: give a room id.\n${USAGE}`],
		['too many arguments', ['a', 'b', 'c'], undefined, `Too many arguments.\n${USAGE}`],
		['an unknown option', ['R1', 'xml'], undefined, `Unknown option xml.\n${USAGE}`],
	])('answers %s with one short text', async (_case, args, room, text) => {
		expect(await run(args, { room, rooms: [liveRoom(), channel] })).toEqual({ text });
	});

	it('refuses a user without an allowed role, naming the roles', async () => {
		const config = applySetting(defaultConfig, 'allowed_roles', 'livechat-manager,admin');
		expect(await run(['R1'], { config })).toEqual({
			text: `You are not allowed to look up call rooms: it takes one of these roles: livechat-manager, admin.\n${USAGE}`,
		});
	});

	it('answers a short message when the room cannot be read', async () => {
		const errors: Array<unknown> = [];
		const reply = await answerCommand({
			sender: agent('es'),
			room: channel,
			args: ['R1'],
			config: defaultConfig,
			source: {
				roomById: async () => {
					throw new Error('db down');
				},
			},
			appId: 'app-id',
			logger: { error: (...items) => errors.push(items) },
		});
		expect(reply).toEqual({ text: 'No se pudo leer la sala ahora; la causa está en el registro de la app.' });
		expect(JSON.stringify(errors)).toContain('db down');
	});
});

describe('formatting', () => {
	it('dates in UTC and durations in h, min, s', () => {
		expect(formatDate(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02 03:04:05 UTC');
		expect(formatDate('nonsense')).toBeUndefined();
		expect([0, 59400, 3600000, 3723000].map(formatDuration)).toEqual(['0 s', '59 s', '1 h 0 min 0 s', '1 h 2 min 3 s']);
		expect(formatDuration(-1)).toBeUndefined();
	});
});
