/**
 * Users, as Rocket.Chat's AppUserBridge: reads through the user converter; `create`/`remove` handle the
 * app's own bot user (the engine creates it on install and removes it on uninstall).
 */
import type { IUser, IUserCreationOptions } from '@rocket.chat/apps-engine/definition/users';
import type { UserBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';
import type { RcUser } from '../types';

export function createUserBridge(ctx: HostContext): UserBridge {
	const Base = ctx.engine.bridges.UserBridge as unknown as new () => UserBridge;

	abstract class HostUserBridge extends Base {
		protected async getById(id: string): Promise<IUser> {
			return (await ctx.converters.convertUserById(id)) as unknown as IUser;
		}

		protected async getByUsername(username: string): Promise<IUser> {
			return (await ctx.converters.convertUserByUsername(username)) as unknown as IUser;
		}

		protected async getAppUser(appId?: string): Promise<IUser | undefined> {
			if (!appId) {
				return undefined;
			}
			const user = ctx.db.users.find((u) => u.appId === appId);
			return ctx.converters.convertUserToApp(user) as unknown as IUser | undefined;
		}

		protected async create(data: Partial<IUser>, _appId: string, _options?: IUserCreationOptions): Promise<string> {
			const user = ctx.converters.convertUserToRocketChat(data as unknown as Record<string, unknown>) as unknown as RcUser;
			if (!user._id) {
				user._id = ctx.newId();
			}
			if (!user.createdAt) {
				user.createdAt = new Date();
			}
			switch (user.type) {
				case 'bot':
				case 'app':
					if (ctx.db.users.some((u) => u.username === user.username)) {
						throw new Error(
							`The username "${user.username}" is already being used. Rename or remove the user using it to install this App`,
						);
					}
					user._updatedAt = new Date();
					ctx.db.users.push(user);
					break;
				default:
					throw new Error('Creating normal users is currently not supported');
			}
			return user._id;
		}

		protected async remove(user: IUser): Promise<boolean> {
			if (!user) {
				return true;
			}
			const index = ctx.db.users.findIndex((u) => u._id === user.id);
			if (index >= 0) {
				ctx.db.users.splice(index, 1);
			}
			return true;
		}

		protected async getActiveUserCount(): Promise<number> {
			return ctx.db.users.filter((u) => u.active && u.type !== 'app' && u.type !== 'bot').length;
		}
	}

	return instrumentBridge(instantiate(HostUserBridge), 'user', ctx);
}
