/**
 * Slash commands, as Rocket.Chat's AppCommandsBridge keeps them in its command registry.
 */
import type { ISlashCommand } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { CommandBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';

function verifyCommand(command: ISlashCommand): void {
	if (typeof command !== 'object' || typeof command.command !== 'string') {
		throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
	}
	if (command.i18nParamsExample && typeof command.i18nParamsExample !== 'string') {
		throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
	}
	if (command.i18nDescription && typeof command.i18nDescription !== 'string') {
		throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
	}
	if (typeof command.providesPreview !== 'boolean') {
		throw new Error('Invalid Slash Command parameter provided, it must be a valid ISlashCommand object.');
	}
}

export function createCommandBridge(ctx: HostContext): CommandBridge {
	const Base = ctx.engine.bridges.CommandBridge as unknown as new () => CommandBridge;

	abstract class HostCommandBridge extends Base {
		protected async doesCommandExist(command: string): Promise<boolean> {
			return typeof command === 'string' && ctx.commands.has(command.toLowerCase());
		}

		protected async enableCommand(command: string): Promise<void> {
			const entry = ctx.commands.get(command.toLowerCase().trim());
			if (!entry) {
				throw new Error(`The command is not currently disabled: "${command}"`);
			}
			entry.enabled = true;
		}

		protected async disableCommand(command: string): Promise<void> {
			const entry = ctx.commands.get(command.toLowerCase().trim());
			if (!entry) {
				throw new Error(`Command does not exist in the system currently: "${command}"`);
			}
			entry.enabled = false;
		}

		protected async modifyCommand(command: ISlashCommand, appId: string): Promise<void> {
			verifyCommand(command);
			const cmd = command.command.toLowerCase();
			if (!ctx.commands.has(cmd)) {
				throw new Error(`Command does not exist in the system currently (or it is disabled): "${cmd}"`);
			}
			ctx.commands.set(cmd, { appId, command, enabled: true });
		}

		protected async registerCommand(command: ISlashCommand, appId: string): Promise<void> {
			verifyCommand(command);
			ctx.commands.set(command.command.toLowerCase(), { appId, command, enabled: true });
		}

		protected async unregisterCommand(command: string): Promise<void> {
			ctx.commands.delete(command.toLowerCase().trim());
		}
	}

	return instrumentBridge(instantiate(HostCommandBridge), 'command', ctx);
}
