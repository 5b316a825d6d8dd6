import type { CloseRequest } from './closeBody';
import { setOwn } from './objects';
import type { VoipRoomQuery } from './params';

/** Tokens shorter than this show no character at all (four of them would give a short token away). */
const MIN_LENGTH_TO_SHOW_PREFIX = 16;

/** Keeps a visitor token out of logs: its first four characters (none for a short token), then its length. */
export function maskToken(token: string): string {
	const shown = token.length >= MIN_LENGTH_TO_SHOW_PREFIX ? token.slice(0, 4) : '';
	return `${shown}…(${token.length})`;
}

/** The request's parameters as they may be logged. */
export function loggableQuery(query: VoipRoomQuery | Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(query)) {
		const value = (query as Record<string, unknown>)[key];
		setOwn(out, key, key === 'token' && typeof value === 'string' ? maskToken(value) : key === 'token' ? '(masked)' : value);
	}
	return out;
}

/** A close request as it may be logged: the token masked, of the options only their size (free text stays out). */
export function loggableClose(request: CloseRequest): Record<string, unknown> {
	const { comment, tags } = request.options;
	return {
		rid: request.rid,
		token: maskToken(request.token),
		...(comment !== undefined && { comment: `(${comment.length} characters)` }),
		...(tags !== undefined && { tags: tags.length }),
	};
}

/** An error's description for the log (never for the caller). */
export function describeCause(cause: unknown): string {
	if (cause instanceof Error || (typeof cause === 'object' && cause !== null && 'message' in cause)) {
		const { name, message, stack } = cause as Error;
		return stack || `${name || 'Error'}: ${message}`;
	}
	return String(cause);
}
