/**
 * Every way a request can fail, as a value. `errorResponse` (lib/response.ts) is the one place that turns these
 * into an HTTP status and the Rocket.Chat error envelope.
 */
export type VoipError =
	| { readonly kind: 'invalid-params'; readonly message: string }
	| { readonly kind: 'invalid-token' }
	| { readonly kind: 'invalid-room' }
	| { readonly kind: 'agent-not-found' }
	| { readonly kind: 'room-closed' }
	| { readonly kind: 'room-not-closable' }
	| { readonly kind: 'unauthenticated' }
	| { readonly kind: 'forbidden' }
	| { readonly kind: 'too-many-requests'; readonly waitSeconds: number }
	/** another request (on this or another instance) is creating the visitor's room and did not finish in time */
	| { readonly kind: 'busy'; readonly retryAfterSeconds: number }
	/** another request (on this or another instance) is closing the room and did not finish in time */
	| { readonly kind: 'close-busy'; readonly retryAfterSeconds: number }
	| { readonly kind: 'internal'; readonly cause: unknown };

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: VoipError };

export function ok<T>(value: T): Result<T> {
	return { ok: true, value };
}

export function fail<T = never>(error: VoipError): Result<T> {
	return { ok: false, error };
}

export function invalidParams<T = never>(message: string): Result<T> {
	return fail({ kind: 'invalid-params', message });
}
