import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiExample, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import { answer } from '../lib/handler';
import { voipRoomCloseRoute } from '../lib/routes';
import type { VoipRoomRuntime } from '../lib/runtime';

/** `POST /api/apps/public/{appId}/voip/room.close`: the end of the call, as the core's `voip/room.close`. */
export class VoipRoomCloseEndpoint extends ApiEndpoint {
	public path = voipRoomCloseRoute.path;

	public authRequired = true;

	/** A close with a comment and tags (tags are checked, not applied), in the documented call's room and identity. */
	public examples: { [key: string]: IApiExample } = {
		'close the call room': {
			content: {
				rid: 'c9YW3rejo7HeL6ZDW',
				token: '867ad6a09fc4af29f6f1f2a9cf1deaba',
				options: { comment: 'Call ended: caller hung up', tags: ['voip', 'wrap-up'] },
			},
			headers: {
				'X-User-Id': '6vHSSqdBHdm2R4gfi',
				'X-Auth-Token': 'xS8jnLS2YzVy-_w8T_S0WnQm5SnADjACa7gbXmcOcLY',
				'Content-Type': 'application/json',
			},
		},
	};

	constructor(
		app: IApp,
		public readonly runtime: VoipRoomRuntime,
	) {
		super(app);
	}

	/** The engine's other arguments (endpoint info, http) are not needed; persistence goes to the room source. */
	public async post(
		request: IApiRequest,
		_endpoint: IApiEndpointInfo,
		read: IRead,
		modify: IModify,
		_http: IHttp,
		persis: IPersistence,
	): Promise<IApiResponse> {
		return answer(voipRoomCloseRoute, this, request, read, modify, persis);
	}
}
