import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';
import type { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';

import { answerCommand } from './command';
import { engineRoomSource } from './roomSource';
import type { VoipRoomRuntime } from './runtime';

/** `/voiproom`: an omnichannel room's details, for the agent who asks only (CONTRACT §2). */
export class VoipRoomCommand implements ISlashCommand {
	public command = 'voiproom';
	public i18nParamsExample = 'voiproom_command_params';
	public i18nDescription = 'voiproom_command_description';
	public permission = 'view-l-room';
	public providesPreview = false;

	constructor(
		private readonly app: IApp,
		private readonly runtime: VoipRoomRuntime,
	) {}

	public async executor(context: SlashCommandContext, read: IRead, modify: IModify, _http: IHttp, persis: IPersistence): Promise<void> {
		const sender = context.getSender();
		const room = context.getRoom();
		const reply = await answerCommand({
			sender,
			room,
			args: context.getArguments(),
			config: this.runtime.config,
			source: engineRoomSource(read, modify, persis),
			appId: this.app.getID(),
			logger: this.app.getLogger(),
		});
		const builder = modify.getCreator().startMessage().setRoom(room).setText(reply.text).setGroupable(false);
		const appUser = await read.getUserReader().getAppUser();
		if (appUser) {
			builder.setSender(appUser);
		}
		if (reply.blocks) {
			builder.setBlocks(reply.blocks);
		}
		const threadId = context.getThreadId();
		if (threadId) {
			builder.setThreadId(threadId);
		}
		await modify.getNotifier().notifyUser(sender, builder.getMessage());
	}
}
