import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';

import type { VoipError } from './errors';
import type { RestRoom } from './serialize';

export type Headers = Record<string, string>;

const CONTENT_TYPE: Headers = { 'content-type': 'application/json' };

export interface ErrorEnvelope {
	success: false;
	error: string;
	errorType?: string;
}

type Described = { status: number; body: ErrorEnvelope; headers?: Headers };

/** 503 with Retry-After: the coordination across instances (lib/coordinate.ts) did not get its turn in time. */
function busyResponse(seconds: number, what: string, errorType: string): Described {
	return {
		status: 503,
		headers: { 'Retry-After': String(seconds) },
		body: { success: false, error: `${what} Try again in ${seconds} seconds. [${errorType}]`, errorType },
	};
}

/** Status and body of each error, as Rocket.Chat's REST API words them. */
export function describeError(error: VoipError): Described {
	switch (error.kind) {
		case 'invalid-params':
			return { status: 400, body: { success: false, error: `${error.message} [invalid-params]`, errorType: 'invalid-params' } };
		case 'invalid-token':
		case 'invalid-room':
		case 'agent-not-found':
		case 'room-closed':
		case 'room-not-closable':
			return { status: 400, body: { success: false, error: error.kind } };
		case 'unauthenticated':
			return { status: 401, body: { success: false, error: 'You must be logged in to do this.' } };
		case 'forbidden':
			return {
				status: 403,
				body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
			};
		case 'too-many-requests':
			return {
				status: 429,
				body: {
					success: false,
					error: `Error, too many requests. Please slow down. You must wait ${error.waitSeconds} seconds before trying this endpoint again. [error-too-many-requests]`,
				},
			};
		case 'busy':
			return busyResponse(
				error.retryAfterSeconds,
				'Another request is creating a room for this visitor.',
				'error-room-creation-busy',
			);
		case 'close-busy':
			return busyResponse(error.retryAfterSeconds, 'Another request is closing this room.', 'error-room-close-busy');
		case 'internal':
			return { status: 500, body: { success: false, error: 'Internal server error' } };
	}
}

export function errorResponse(error: VoipError, headers: Headers = {}): IApiResponse {
	const described = describeError(error);
	return { status: described.status, headers: { ...CONTENT_TYPE, ...headers, ...described.headers }, content: described.body };
}

/** A success body: what the route answers, `success: true` last (as the core's envelope put it). */
export type SuccessBody = Record<string, unknown> & { success: true };

/** `voip/room`'s body (CONTRACT §1.4). */
export interface RoomBody extends SuccessBody {
	room: RestRoom;
	newRoom: boolean;
}

export function successBody(room: RestRoom, newRoom: boolean): RoomBody {
	return { room, newRoom, success: true };
}

/** `voip/room.close`'s body (CONTRACT §5). */
export function closedBody(rid: string): SuccessBody {
	return { rid, success: true };
}

export function successResponse(body: SuccessBody, headers: Headers = {}): IApiResponse {
	return { status: 200, headers: { ...CONTENT_TYPE, ...headers }, content: body };
}
