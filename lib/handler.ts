import type { ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IApp } from '@rocket.chat/apps-engine/definition/IApp';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { authenticate, authorize } from './authorize';
import type { Result } from './errors';
import { fail } from './errors';
import { describeCause } from './log';
import type { Headers, SuccessBody } from './response';
import { errorResponse, successResponse } from './response';
import type { RoomSource } from './roomSource';
import { engineRoomSource } from './roomSource';
import type { VoipRoomRuntime } from './runtime';

/** What a request's action may use: the app instance's runtime and the request's engine accessors. */
export interface RequestContext {
	readonly runtime: VoipRoomRuntime;
	readonly source: RoomSource;
	readonly app: { readonly id: string; readonly name: string };
	readonly logger: Pick<ILogger, 'error'>;
}

/** A route is a declaration: how its request is read, what it does, what it answers. The pipeline does the rest. */
export interface Route<Input, Output> {
	/** The endpoint's path: its name in the log, and its own rate-limit bucket per caller. */
	readonly path: string;
	/** The parameters or the body (an `invalid-params` error names the field). Runs before the role gate. */
	parse(request: IApiRequest): Result<Input>;
	/** The work, once the caller passed the role gate. An exception becomes a 500. */
	act(input: Input, context: RequestContext): Promise<Result<Output>>;
	/** The success body. */
	respond(output: Output): SuccessBody;
	/** The request as the log may show it when the action fails (tokens masked). */
	loggable(input: Input): Record<string, unknown>;
}

/** Each route counts on its own per caller (the core keyed its limiter by route). */
function bucket(route: Route<unknown, unknown>, user: IUser): string {
	return `${route.path}\n${user.id}`;
}

/** What became of a request after the limiter: the outcome, and the parsed input when there was one (for the log). */
interface Step<Input, Output> {
	readonly outcome: Result<Output>;
	readonly input?: Input;
}

/** parse → role gate → action; an action that throws is an internal error. */
async function run<Input, Output>(
	route: Route<Input, Output>,
	request: IApiRequest,
	user: IUser,
	context: RequestContext,
): Promise<Step<Input, Output>> {
	const input = route.parse(request);
	if (!input.ok) {
		return { outcome: fail(input.error) };
	}
	const allowed = authorize(user, context.runtime.config.allowedRoles);
	if (!allowed.ok) {
		return { outcome: fail(allowed.error) };
	}
	try {
		return { outcome: await route.act(input.value, context), input: input.value };
	} catch (cause) {
		return { outcome: fail({ kind: 'internal', cause }), input: input.value };
	}
}

/**
 * The one request pipeline of every endpoint, in the core's order of checks: authenticate → rate limit → parse →
 * role gate → action → respond (CONTRACT §1.2, §5). Every failure is a value until `errorResponse` turns it into
 * the envelope; a failure inside answers 500, its cause in the app's log only.
 */
export async function handleRequest<Input, Output>(
	route: Route<Input, Output>,
	request: IApiRequest,
	context: RequestContext,
): Promise<IApiResponse> {
	const user = authenticate(request.user);
	if (!user.ok) {
		return errorResponse(user.error);
	}
	const { config } = context.runtime;
	const limit = context.runtime.limiter.hit(bucket(route, user.value), config.requestsPerWindow, config.windowMs);
	const headers: Headers = limit ? limit.headers : {};
	if (limit && !limit.allowed) {
		return errorResponse({ kind: 'too-many-requests', waitSeconds: limit.waitSeconds }, headers);
	}
	let step: Step<Input, Output>;
	try {
		step = await run(route, request, user.value, context);
	} catch (cause) {
		step = { outcome: fail({ kind: 'internal', cause }) };
	}
	const { outcome, input } = step;
	if (outcome.ok) {
		return successResponse(route.respond(outcome.value), headers);
	}
	if (outcome.error.kind === 'internal') {
		const described = input !== undefined ? route.loggable(input) : {};
		context.logger.error(`${route.path} failed`, { ...described, cause: describeCause(outcome.error.cause) });
	}
	return errorResponse(outcome.error, headers);
}

/**
 * What an endpoint class does with a request: the pipeline with its route, over the request's accessors. (The
 * endpoint classes extend ApiEndpoint themselves: on engine 1.42 every app file runs in its own vm2 sandbox, and a
 * class extending a class of another app file loses its own methods.)
 */
export function answer<Input, Output>(
	route: Route<Input, Output>,
	endpoint: { readonly app: IApp; readonly runtime: VoipRoomRuntime },
	request: IApiRequest,
	read: IRead,
	modify: IModify,
	persistence: IPersistence,
): Promise<IApiResponse> {
	const { app, runtime } = endpoint;
	return handleRequest(route, request, {
		runtime,
		source: engineRoomSource(read, modify, persistence),
		app: { id: app.getID(), name: app.getName() },
		logger: app.getLogger(),
	});
}
