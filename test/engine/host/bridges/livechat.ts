/**
 * Omnichannel, as Rocket.Chat's AppLivechatBridge (6.x for engine 1.42, 7.x for engine 1.62):
 * visitors by token/id/email/phone, the open livechat rooms of a visitor or an agent, departments,
 * createRoom, which builds the room document the way Rocket.Chat's QueueManager.requestRoom +
 * createLivechatRoom + routing to the given agent do, and closeRoom (../closeRoom.ts).
 */
import type { IExtraRoomParams } from '@rocket.chat/apps-engine/definition/accessors/ILivechatCreator';
import type { IDepartment, ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { LivechatBridge } from '@rocket.chat/apps-engine/server/bridges';
import { closeLivechatRoom } from '../closeRoom';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';
import { isPlainObject, withoutUndefined } from '../converters';
import type { Doc } from '../converters';
import type { RcRoom, RcUser } from '../types';

/** LivechatPriorityWeight.NOT_SPECIFIED and DEFAULT_SLA_CONFIG.ESTIMATED_WAITING_TIME_QUEUE in Rocket.Chat */
const PRIORITY_WEIGHT_NOT_SPECIFIED = 99;
const ESTIMATED_WAITING_TIME_QUEUE = 9999999;

/** Users.countOnlineAgents(agentId): an online, available livechat agent */
export function isOnlineAgent(user: RcUser | undefined): boolean {
	return (
		!!user &&
		typeof user.status === 'string' &&
		user.status !== 'offline' &&
		user.statusLivechat === 'available' &&
		Array.isArray(user.roles) &&
		user.roles.includes('livechat-agent')
	);
}

/** LivechatRooms.findOpenByVisitorToken / findOpenByVisitorTokenAndDepartmentId */
export function findOpenRoomsByVisitorToken(rooms: RcRoom[], token: string, departmentId?: string | null): RcRoom[] {
	return rooms.filter(
		(r) => r.t === 'l' && r.open === true && !!r.v && r.v.token === token && (!departmentId || r.departmentId === departmentId),
	);
}

/** LivechatRooms.findOpenByAgent */
export function findOpenRoomsByAgent(rooms: RcRoom[], agentId: string): RcRoom[] {
	return rooms.filter((r) => r.t === 'l' && r.open === true && !!r.servedBy && r.servedBy._id === agentId);
}

function meteorError(error: string, reason: string): Error {
	const e = new Error(`${reason} [${error}]`);
	(e as Error & { error?: string }).error = error;
	return e;
}

export function createLivechatBridge(ctx: HostContext): LivechatBridge {
	const Base = ctx.engine.bridges.LivechatBridge as unknown as new () => LivechatBridge;
	const convertRooms = async (rooms: RcRoom[]): Promise<ILivechatRoom[]> => {
		const out: ILivechatRoom[] = [];
		for (const room of rooms) {
			out.push((await ctx.converters.convertRoom(room)) as unknown as ILivechatRoom);
		}
		return out;
	};

	abstract class HostLivechatBridge extends Base {
		protected isOnline(): boolean {
			return ctx.db.users.some((u) => isOnlineAgent(u));
		}

		protected async isOnlineAsync(): Promise<boolean> {
			return ctx.db.users.some((u) => isOnlineAgent(u));
		}

		protected async findVisitorById(id: string): Promise<IVisitor | undefined> {
			return (await ctx.converters.convertVisitorById(id)) as unknown as IVisitor | undefined;
		}

		protected async findVisitorByToken(token: string): Promise<IVisitor | undefined> {
			return (await ctx.converters.convertVisitorByToken(token)) as unknown as IVisitor | undefined;
		}

		protected async findVisitorByEmail(email: string): Promise<IVisitor | undefined> {
			const wanted = String(email).toLowerCase();
			const visitor = ctx.db.visitors.find(
				(v) => Array.isArray(v.visitorEmails) && v.visitorEmails.some((e) => String(e.address).toLowerCase() === wanted),
			);
			return (await ctx.converters.convertVisitor(visitor)) as unknown as IVisitor | undefined;
		}

		protected async findVisitorByPhoneNumber(phoneNumber: string): Promise<IVisitor | undefined> {
			const visitor = ctx.db.visitors.find((v) => Array.isArray(v.phone) && v.phone.some((p) => p.phoneNumber === phoneNumber));
			return (await ctx.converters.convertVisitor(visitor)) as unknown as IVisitor | undefined;
		}

		protected async findRooms(visitor: IVisitor, departmentId: string | null): Promise<Array<ILivechatRoom>> {
			if (!visitor) {
				return [];
			}
			return convertRooms(findOpenRoomsByVisitorToken(ctx.db.rooms, visitor.token, departmentId));
		}

		protected async findOpenRoomsByAgentId(agentId: string): Promise<ILivechatRoom[]> {
			if (!agentId) {
				throw new Error('Invalid agentId');
			}
			return convertRooms(findOpenRoomsByAgent(ctx.db.rooms, agentId));
		}

		protected async countOpenRoomsByAgentId(agentId: string): Promise<number> {
			if (!agentId) {
				throw new Error('Invalid agentId');
			}
			return findOpenRoomsByAgent(ctx.db.rooms, agentId).length;
		}

		protected async findDepartmentByIdOrName(value: string): Promise<IDepartment | undefined> {
			const department = ctx.db.departments.find((d) => d._id === value || d.name === value);
			return (await ctx.converters.convertDepartment(department)) as unknown as IDepartment | undefined;
		}

		protected async findDepartmentsEnabledWithAgents(): Promise<Array<IDepartment>> {
			const out: IDepartment[] = [];
			for (const department of ctx.db.departments.filter((d) => d.enabled && (d.numAgents || 0) > 0)) {
				out.push((await ctx.converters.convertDepartment(department)) as unknown as IDepartment);
			}
			return out;
		}

		protected async createRoom(visitor: IVisitor, agent: IUser, appId: string, extraParams?: IExtraRoomParams): Promise<ILivechatRoom> {
			const { source, customFields } = (extraParams || {}) as IExtraRoomParams & { customFields?: unknown };
			const sourceDoc = source as unknown as Doc | undefined;
			const appSource = isPlainObject(sourceDoc) && sourceDoc.type === 'app' ? sourceDoc : undefined;

			let agentRoom: { agentId: string; username: string } | undefined;
			if (agent && agent.id) {
				const user = ctx.converters.findUserById(agent.id); // Users.getAgentInfo
				if (!user) {
					throw new Error(`The agent with id "${agent.id}" was not found.`);
				}
				agentRoom = { agentId: user._id, username: user.username };
			}

			const guest = ctx.converters.convertAppVisitor(visitor as unknown as Doc);
			if (!guest || typeof guest._id !== 'string' || typeof guest.username !== 'string') {
				throw new Error('Match error: Expected string, got undefined in field _id/username [400]');
			}

			// QueueManager.requestRoom -> checkServiceStatus({ guest, agent })
			const online = agentRoom
				? isOnlineAgent(ctx.converters.findUserById(agentRoom.agentId))
				: ctx.db.users.some((u) => isOnlineAgent(u));
			if (!online) {
				throw meteorError('no-agent-online', 'Sorry, no online agents');
			}

			const manager = ctx.manager;
			const app = manager ? manager.getOneById(appId) : undefined;
			const now = new Date();
			const status = typeof guest.status === 'string' ? guest.status : 'online';
			const activity = ctx.flavor === '7.x' && Array.isArray(guest.activity) && guest.activity.length ? guest.activity : undefined;
			const roomSource = withoutUndefined({
				type: 'app',
				id: appId,
				alias: app ? app.getName() : undefined,
				...(appSource
					? {
							label: appSource.label,
							sidebarIcon: appSource.sidebarIcon,
							defaultIcon: appSource.defaultIcon,
							...(ctx.flavor === '7.x' ? { destination: appSource.destination } : {}),
						}
					: {}),
			});
			const room = withoutUndefined({
				_id: ctx.newId(),
				msgs: 0,
				usersCount: 1,
				lm: now,
				fname: (guest.name as string) || (guest.username as string),
				t: 'l',
				ts: now,
				departmentId: guest.department,
				v: withoutUndefined({ _id: guest._id, username: guest.username, token: guest.token, status, activity }),
				cl: false,
				open: true,
				waitingResponse: true,
				source: roomSource,
				queuedAt: now,
				priorityWeight: PRIORITY_WEIGHT_NOT_SPECIFIED,
				estimatedWaitingTimeQueue: ESTIMATED_WAITING_TIME_QUEUE,
				// 'livechat.beforeRoom' keeps extraData.customFields when it is a plain object (7.x; 6.x passes no extraData)
				...(ctx.flavor === '7.x' && isPlainObject(customFields) ? { customFields } : {}),
				_updatedAt: now,
			}) as unknown as RcRoom;
			ctx.db.rooms.push(room);

			// routing: the inquiry is delegated to the given agent (RoutingManager.takeInquiry -> assignAgent)
			if (agentRoom) {
				room.servedBy = { _id: agentRoom.agentId, username: agentRoom.username, ts: new Date() };
				room.usersCount = (room.usersCount || 0) + 1;
				room._updatedAt = new Date();
			}

			return (await ctx.converters.convertRoom(room)) as unknown as ILivechatRoom;
		}

		/**
		 * AppLivechatBridge.closeRoom (apps/meteor/app/apps/server/bridges/livechat.ts): the closer (when given) as a
		 * user, the room's visitor, the app's room converted back; the close itself in ../closeRoom.ts; true.
		 */
		protected async closeRoom(room: ILivechatRoom, comment: string, closer: IUser | undefined, _appId: string): Promise<boolean> {
			const user = closer ? ctx.converters.convertUserToRocketChat(closer as unknown as Doc) : undefined;
			const appRoom = room as unknown as Doc;
			const visitor = ctx.converters.convertAppVisitor(isPlainObject(appRoom.visitor) ? appRoom.visitor : undefined);
			await closeLivechatRoom(ctx, {
				room: ctx.converters.convertAppRoom(appRoom),
				comment,
				...(user ? { user } : {}),
				...(visitor ? { visitor } : {}),
			});
			return true;
		}
	}

	return instrumentBridge(instantiate(HostLivechatBridge), 'livechat', ctx);
}
