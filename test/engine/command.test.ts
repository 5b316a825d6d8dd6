/**
 * CONTRACT §2: `/voiproom` through the real engine on both runtimes. The host's message bridge captures what
 * the sender receives; each case checks the exact facts shown.
 */
import { describe, expect, it } from '@jest/globals';

import type { CapturedMessage, EngineName, Host } from './host';
import type { RoomBody } from './support';
import { ENGINES, getVoipRoom, SEED, withHost } from './support';

const USAGE =
	'Usage: `/voiproom` in an omnichannel room shows that room; `/voiproom <room id>` shows that room; `/voiproom <room id> json` shows the voip/room REST answer for it; `/voiproom help` shows this.';

const DOCUMENTED_ROOM_TEXT = [
	'Livechat room of Mary',
	'Visitor: Mary (@guest-165), offline',
	'Agent: Kim Jane (@kim.jane)',
	'Department: Sales',
	'Status: open, waiting for an answer',
	'Created: 2021-07-09 20:12:19 UTC',
	'Last activity: 2021-07-09 20:20:58 UTC',
	'Messages: 7',
	'Source: unknown',
	`Room id: ${SEED.roomId}`,
].join('\n');

interface Sent {
	kind: string;
	to: string | undefined;
	room: string | undefined;
	from: string | undefined;
	text: string | undefined;
	thread: string | undefined;
}

function sent(messages: Array<CapturedMessage>): Array<Sent> {
	return messages.map((m) => ({
		kind: m.kind,
		to: m.userId,
		room: m.roomId,
		from: m.message.sender && m.message.sender.username,
		text: m.message.text,
		thread: m.message.threadId,
	}));
}

describe.each(ENGINES)('/voiproom on engine %s', (engine: EngineName) => {
	const run = <T>(test: (host: Host) => Promise<T>) => withHost(engine, {}, test);
	const appUser = (host: Host) => {
		const user = host.db.users.find((u) => u.type === 'app' && u.appId === host.appId);
		return user && user.username;
	};

	it('in an omnichannel room: that room, to the sender only, from the app user, as blocks and text', () =>
		run(async (host) => {
			const messages = await host.command('voiproom', { userId: SEED.callerId, roomId: SEED.roomId, args: [] });
			expect(sent(messages)).toEqual([
				{
					kind: 'notifyUser',
					to: SEED.callerId,
					room: SEED.roomId,
					from: appUser(host),
					text: DOCUMENTED_ROOM_TEXT,
					thread: undefined,
				},
			]);
			const blocks = messages[0].message.blocks as Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }> }>;
			expect(blocks.map((b) => b.type)).toEqual(['section', 'section']);
			expect(blocks[0].text && blocks[0].text.text).toBe('*Livechat room of Mary*');
			expect((blocks[1].fields || []).map((f) => f.text)).toEqual(
				DOCUMENTED_ROOM_TEXT.split('\n')
					.slice(1)
					.map((line) => {
						const [label, ...value] = line.split(': ');
						return `*${label}*\n${value.join(': ')}`;
					}),
			);
			expect(host.db.messages || []).toEqual([]);
			expect(host.deniedPermissions()).toEqual([]);
		}));

	it('keeps the thread', () =>
		run(async (host) => {
			const messages = await host.command('voiproom', {
				userId: SEED.callerId,
				roomId: SEED.roomId,
				args: [],
				threadId: 'ThreadMsgId1',
			});
			expect(sent(messages).map((m) => [m.kind, m.room, m.thread])).toEqual([['notifyUser', SEED.roomId, 'ThreadMsgId1']]);
		}));

	it('by id from another room: a closed room', () =>
		run(async (host) => {
			const messages = await host.command('voiproom', { userId: SEED.callerId, roomId: SEED.channelId, args: [SEED.closedRoomId] });
			expect(sent(messages).map((m) => [m.room, m.text])).toEqual([
				[
					SEED.channelId,
					[
						'Livechat room of Mary',
						'Visitor: Mary (@guest-165), offline',
						'Agent: Kim Jane (@kim.jane)',
						'Department: Sales',
						'Status: closed',
						'Created: 2021-06-01 09:59:00 UTC',
						'Last activity: 2021-06-01 10:29:00 UTC',
						'Messages: 3',
						'Source: unknown',
						`Room id: ${SEED.closedRoomId}`,
					].join('\n'),
				],
			]);
		}));

	it('a VoIP room shows queue, direction and call duration; a pt-BR sender reads Portuguese', () =>
		run(async (host) => {
			const messages = await host.command('voiproom', { userId: SEED.agentId, roomId: SEED.voipRoomId, args: [] });
			expect(sent(messages).map((m) => [m.to, m.text])).toEqual([
				[
					SEED.agentId,
					[
						'Sala de chamada VoIP de Mary',
						'Visitante: Mary (@guest-165), offline',
						'Agente: Kim Jane (@kim.jane)',
						'Departamento: nenhum',
						'Situação: aberta, respondida',
						'Criada em: 2021-07-10 08:00:00 UTC',
						'Última atividade: 2021-07-10 08:05:00 UTC',
						'Mensagens: 0',
						'Origem: desconhecido',
						'Fila: support',
						'Direção: entrada',
						'Duração da chamada: 5 min 0 s',
						`Id da sala: ${SEED.voipRoomId}`,
					].join('\n'),
				],
			]);
			expect((messages[0].message.blocks || []).length).toBe(3);
		}));

	it('json: the exact REST body the endpoint gives for that room', () =>
		run(async (host) => {
			const messages = await host.command('voiproom', { userId: SEED.callerId, roomId: SEED.roomId, args: [SEED.roomId, 'json'] });
			const text = messages.length === 1 ? messages[0].message.text || '' : '';
			const lines = text.split('\n');
			expect([lines[0], lines[1], lines[lines.length - 1]]).toEqual([
				`REST answer of voip/room for room ${SEED.roomId}:`,
				'```json',
				'```',
			]);
			const shown = JSON.parse(lines.slice(2, -1).join('\n')) as RoomBody;
			const endpoint = await getVoipRoom(host, { token: SEED.visitorToken, rid: SEED.roomId });
			expect(shown).toEqual(endpoint.content);
		}));

	it.each<[string, { userId: string; roomId: string; args: Array<string> }, string]>([
		['help', { userId: SEED.callerId, roomId: SEED.channelId, args: ['help'] }, USAGE],
		[
			'an unknown room',
			{ userId: SEED.callerId, roomId: SEED.channelId, args: ['NoSuchRoom'] },
			`There is no room with the id NoSuchRoom.\n${USAGE}`,
		],
		[
			'not an omnichannel room',
			{ userId: SEED.callerId, roomId: SEED.roomId, args: [SEED.channelId] },
			`Room ${SEED.channelId} is not an omnichannel room.\n${USAGE}`,
		],
		[
			'no argument outside an omnichannel room',
			{ userId: SEED.callerId, roomId: SEED.channelId, args: [] },
			`This is not an omnichannel room: give a room id.\n${USAGE}`,
		],
		['too many arguments', { userId: SEED.callerId, roomId: SEED.roomId, args: ['a', 'b', 'c'] }, `Too many arguments.\n${USAGE}`],
		[
			'not allowed',
			{ userId: SEED.plainUserId, roomId: SEED.roomId, args: [] },
			`You are not allowed to look up call rooms: it takes one of these roles: livechat-agent, livechat-manager, admin.\n${USAGE}`,
		],
	])('%s: one short ephemeral explanation, nothing else', (_case, sender, text) =>
		run(async (host) => {
			const messages = await host.command('voiproom', sender);
			expect(sent(messages)).toEqual([
				{ kind: 'notifyUser', to: sender.userId, room: sender.roomId, from: appUser(host), text, thread: undefined },
			]);
			expect(messages[0].message.blocks).toBeUndefined();
			expect(host.calls.byMethod()).toEqual({
				'user.getAppUser': 1,
				'message.notifyUser': 1,
				...(sender.args.length === 1 && sender.args[0] !== 'help' ? { 'room.getById': 1 } : {}),
			});
		}),
	);

	it('declares itself with i18n keys and the view-l-room permission', () =>
		run(async (host) => {
			expect(host.registeredCommands()).toEqual([
				{
					command: 'voiproom',
					i18nParamsExample: 'voiproom_command_params',
					i18nDescription: 'voiproom_command_description',
					permission: 'view-l-room',
					providesPreview: false,
				},
			]);
		}));
});
