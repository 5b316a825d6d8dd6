import { closeVisitorRoom } from './close';
import type { CloseRequest } from './closeBody';
import { parseCloseBody } from './closeBody';
import type { Route } from './handler';
import { loggableClose, loggableQuery } from './log';
import type { VoipRoomQuery } from './params';
import { parseQuery } from './params';
import type { Resolved } from './resolve';
import { resolveRoom } from './resolve';
import { closedBody, successBody } from './response';
import { serializeRoom } from './serialize';

/** `GET voip/room` (CONTRACT §1): the query, the room resolved (found or created), the REST room document. */
export const voipRoomRoute: Route<VoipRoomQuery, Resolved> = {
	path: 'voip/room',
	parse: (request) => parseQuery(request.query),
	act: (query, { source, runtime, app }) =>
		resolveRoom(source, query, { createRoom: runtime.config.createRoom, app, lock: runtime.lock }),
	respond: ({ room, newRoom }) => successBody(serializeRoom(room), newRoom),
	loggable: (query) => ({ query: loggableQuery(query) }),
};

/** `POST voip/room.close` (CONTRACT §5): the body, the visitor's open room closed, its id. */
export const voipRoomCloseRoute: Route<CloseRequest, string> = {
	path: 'voip/room.close',
	parse: (request) => parseCloseBody(request.content),
	act: (body, { source, runtime }) => closeVisitorRoom(source, body, { lock: runtime.roomLock }),
	respond: (rid) => closedBody(rid),
	loggable: (body) => ({ body: loggableClose(body) }),
};
