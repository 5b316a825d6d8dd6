import type { VoipRoomQuery } from './params';

/** Keeps a visitor token out of logs: its first four characters, then its length. */
export function maskToken(token: string): string {
	return `${token.slice(0, 4)}…(${token.length})`;
}

/** The request's parameters as they may be logged. */
export function loggableQuery(query: VoipRoomQuery | Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(query)) {
		const value = (query as Record<string, unknown>)[key];
		Object.defineProperty(out, key, {
			value: key === 'token' && typeof value === 'string' ? maskToken(value) : key === 'token' ? '(masked)' : value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return out;
}

/** An error's description for the log (never for the caller). */
export function describeCause(cause: unknown): string {
	if (cause instanceof Error || (typeof cause === 'object' && cause !== null && 'message' in cause)) {
		const { name, message, stack } = cause as Error;
		return stack || `${name || 'Error'}: ${message}`;
	}
	return String(cause);
}
