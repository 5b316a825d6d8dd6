import type {
	IAppAccessors,
	IConfigurationExtend,
	IConfigurationModify,
	IEnvironmentRead,
	IHttp,
	ILogger,
	IRead,
} from '@rocket.chat/apps-engine/definition/accessors';
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';

import { VoipRoomCloseEndpoint } from './endpoints/VoipRoomCloseEndpoint';
import { VoipRoomEndpoint } from './endpoints/VoipRoomEndpoint';
import { VoipRoomRuntime } from './lib/runtime';
import { VoipRoomCommand } from './lib/VoipRoomCommand';
import { settings } from './lib/settings';

/** Wires settings, the `voip/room` and `voip/room.close` endpoints and the `/voiproom` command; the work is in lib/. */
export class VoipRoomApp extends App {
	private readonly runtime = new VoipRoomRuntime();

	constructor(info: IAppInfo, logger: ILogger, accessors: IAppAccessors) {
		super(info, logger, accessors);
	}

	public async onEnable(environment: IEnvironmentRead, _configurationModify: IConfigurationModify): Promise<boolean> {
		const reader = environment.getSettings();
		for (const setting of settings) {
			this.runtime.apply(setting.id, await reader.getValueById(setting.id));
		}
		return true;
	}

	public async onSettingUpdated(
		setting: ISetting,
		_configurationModify: IConfigurationModify,
		_read: IRead,
		_http: IHttp,
	): Promise<void> {
		this.runtime.apply(setting.id, setting.value !== undefined ? setting.value : setting.packageValue);
	}

	protected async extendConfiguration(configuration: IConfigurationExtend, _environmentRead: IEnvironmentRead): Promise<void> {
		await Promise.all(settings.map((setting) => configuration.settings.provideSetting(setting)));
		await configuration.api.provideApi({
			visibility: ApiVisibility.PUBLIC,
			security: ApiSecurity.UNSECURE,
			endpoints: [new VoipRoomEndpoint(this, this.runtime), new VoipRoomCloseEndpoint(this, this.runtime)],
		});
		await configuration.slashCommands.provideSlashCommand(new VoipRoomCommand(this, this.runtime));
	}
}
