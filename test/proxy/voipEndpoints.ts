/**
 * The two core routes as Rocket.Chat 7.x's `@rocket.chat/rest-typings` declared them (VoipEndpoints), declared again
 * for the 8.x typings, which dropped them with the routes: a TypeScript client written for the core route, e.g.
 * `client.get('/v1/voip/room', { token, agentId })` with `@rocket.chat/api-client`, compiles unchanged against 8.x
 * typings and reaches this app through the proxy rules of docs/original-urls.md. Import it once (`import './voipEndpoints'`).
 */
import type { RoomBody } from '../engine/support';

// the augmented module must be part of the program even where nothing else imports it
export type { Endpoints } from '@rocket.chat/rest-typings';

declare module '@rocket.chat/rest-typings' {
	interface Endpoints {
		'/v1/voip/room': {
			GET: (params: { token: string; agentId?: string; rid?: string; direction?: 'inbound' | 'outbound' }) => {
				room: RoomBody['room'];
				newRoom: boolean;
			};
		};
		'/v1/voip/room.close': {
			POST: (params: { rid: string; token: string; options?: { comment?: string; tags?: string[] } }) => { rid: string };
		};
	}
}
