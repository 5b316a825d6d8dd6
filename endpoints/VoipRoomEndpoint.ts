import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiExample, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import { answer } from '../lib/handler';
import { voipRoomRoute } from '../lib/routes';
import type { VoipRoomRuntime } from '../lib/runtime';

/** `GET /api/apps/public/{appId}/voip/room`: Rocket.Chat's "Get Call Center Room", as an app endpoint. */
export class VoipRoomEndpoint extends ApiEndpoint {
	public path = voipRoomRoute.path;

	public authRequired = true;

	/** The documented call ("Get Call Center Room"), by room id and by visitor and agent. */
	public examples: { [key: string]: IApiExample } = {
		'by room id': {
			query: { token: '867ad6a09fc4af29f6f1f2a9cf1deaba', rid: 'c9YW3rejo7HeL6ZDW' },
			headers: { 'X-User-Id': '6vHSSqdBHdm2R4gfi', 'X-Auth-Token': 'xS8jnLS2YzVy-_w8T_S0WnQm5SnADjACa7gbXmcOcLY' },
		},
		'by visitor and agent': {
			query: { token: '867ad6a09fc4af29f6f1f2a9cf1deaba', agentId: '6vHSSqdBHdm2R4gfi' },
			headers: { 'X-User-Id': '6vHSSqdBHdm2R4gfi', 'X-Auth-Token': 'xS8jnLS2YzVy-_w8T_S0WnQm5SnADjACa7gbXmcOcLY' },
		},
	};

	constructor(
		app: IApp,
		public readonly runtime: VoipRoomRuntime,
	) {
		super(app);
	}

	/** The engine's other arguments (endpoint info, http) are not needed; persistence holds the creation claims. */
	public async get(
		request: IApiRequest,
		_endpoint: IApiEndpointInfo,
		read: IRead,
		modify: IModify,
		_http: IHttp,
		persis: IPersistence,
	): Promise<IApiResponse> {
		return answer(voipRoomRoute, this, request, read, modify, persis);
	}
}
