import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { authenticate, authorize } from './authorize';
import type { Result, VoipError } from './errors';
import { fail } from './errors';
import { describeCause, loggableQuery } from './log';
import { parseQuery } from './params';
import { resolveRoom } from './resolve';
import type { Headers, SuccessBody } from './response';
import { errorResponse, successBody, successResponse } from './response';
import type { RoomSource } from './roomSource';
import type { VoipRoomRuntime } from './runtime';
import { serializeRoom } from './serialize';

export interface HandlerContext {
	readonly runtime: VoipRoomRuntime;
	readonly source: RoomSource;
	readonly app: { readonly id: string; readonly name: string };
	readonly logger: Pick<ILogger, 'error'>;
}

/**
 * parse → authorize → resolve → serialize → respond, in the core's order of checks: authentication, rate limit,
 * parameters, role gate (CONTRACT §1.2). Every failure is a value until `errorResponse` turns it into the envelope.
 */
export async function handleVoipRoomRequest(request: IApiRequest, context: HandlerContext): Promise<IApiResponse> {
	const user = authenticate(request.user);
	if (!user.ok) {
		return errorResponse(user.error);
	}
	const { config } = context.runtime;
	const limit = context.runtime.limiter.hit(user.value.id, config.requestsPerWindow, config.windowMs);
	const headers: Headers = limit ? limit.headers : {};
	if (limit && !limit.allowed) {
		return errorResponse({ kind: 'too-many-requests', waitSeconds: limit.waitSeconds }, headers);
	}
	let outcome: Result<SuccessBody>;
	try {
		outcome = await answer(request, user.value, context);
	} catch (cause) {
		outcome = fail({ kind: 'internal', cause });
	}
	if (outcome.ok) {
		return successResponse(outcome.value, headers);
	}
	if (outcome.error.kind === 'internal') {
		logInternal(context, request, outcome.error);
	}
	return errorResponse(outcome.error, headers);
}

/** What follows the limiter: parameters, role gate, resolution, the body. */
async function answer(request: IApiRequest, user: IUser, context: HandlerContext): Promise<Result<SuccessBody>> {
	const { config } = context.runtime;
	const query = parseQuery(request.query);
	if (!query.ok) {
		return query;
	}
	const allowed = authorize(user, config.allowedRoles);
	if (!allowed.ok) {
		return allowed;
	}
	const resolved = await resolveRoom(context.source, query.value, {
		createRoom: config.createRoom,
		app: context.app,
		lock: context.runtime.lock,
	});
	if (!resolved.ok) {
		return resolved;
	}
	return { ok: true, value: successBody(serializeRoom(resolved.value.room), resolved.value.newRoom) };
}

function logInternal(context: HandlerContext, request: IApiRequest, error: VoipError & { kind: 'internal' }): void {
	const query = typeof request.query === 'object' && request.query !== null ? loggableQuery(request.query) : {};
	context.logger.error('voip/room failed', { query, cause: describeCause(error.cause) });
}
