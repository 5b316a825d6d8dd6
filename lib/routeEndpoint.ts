import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';

import type { Route } from './handler';
import { handleRequest } from './handler';
import { engineRoomSource } from './roomSource';
import type { VoipRoomRuntime } from './runtime';

/** An endpoint that hands its requests to the pipeline with a route: its subclasses only declare. */
export abstract class RouteEndpoint extends ApiEndpoint {
	public authRequired = true;

	constructor(
		app: IApp,
		private readonly runtime: VoipRoomRuntime,
	) {
		super(app);
	}

	protected answer<Input, Output>(
		route: Route<Input, Output>,
		request: IApiRequest,
		read: IRead,
		modify: IModify,
	): Promise<IApiResponse> {
		return handleRequest(route, request, {
			runtime: this.runtime,
			source: engineRoomSource(read, modify),
			app: { id: this.app.getID(), name: this.app.getName() },
			logger: this.app.getLogger(),
		});
	}
}
