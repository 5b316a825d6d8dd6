import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiExample, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import { handleVoipRoomRequest } from '../lib/handler';
import type { VoipRoomRuntime } from '../lib/runtime';
import { engineRoomSource } from '../lib/roomSource';

/** `GET /api/apps/public/{appId}/voip/room`: Rocket.Chat's "Get Call Center Room", as an app endpoint. */
export class VoipRoomEndpoint extends ApiEndpoint {
	public path = 'voip/room';

	public authRequired = true;

	public examples: { [key: string]: IApiExample } = {
		'voip/room': {
			query: { token: '8s7e9ony6ctl27e1qf8kue', agentId: 'XycfA5CetCPuEjqxw', rid: 'kCJDd5peKiZnGJLPq' },
			headers: { 'X-User-Id': 'XycfA5CetCPuEjqxw', 'X-Auth-Token': '<auth token>' },
		},
	};

	constructor(
		app: IApp,
		private readonly runtime: VoipRoomRuntime,
	) {
		super(app);
	}

	public async get(
		request: IApiRequest,
		_endpoint: IApiEndpointInfo,
		read: IRead,
		modify: IModify,
		_http: IHttp,
		_persis: IPersistence,
	): Promise<IApiResponse> {
		return handleVoipRoomRequest(request, {
			runtime: this.runtime,
			source: engineRoomSource(read, modify),
			app: { id: this.app.getID(), name: this.app.getName() },
			logger: this.app.getLogger(),
		});
	}
}
