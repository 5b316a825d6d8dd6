import { describe, expect, it } from '@jest/globals';

import type { VoipError } from '../../lib/errors';
import { errorResponse, successBody, successResponse } from '../../lib/response';

describe('the error envelope (CONTRACT §1.5)', () => {
	it.each<[VoipError, number, Record<string, unknown>]>([
		[
			{ kind: 'invalid-params', message: "must have required property 'token'" },
			400,
			{ success: false, error: "must have required property 'token' [invalid-params]", errorType: 'invalid-params' },
		],
		[{ kind: 'invalid-token' }, 400, { success: false, error: 'invalid-token' }],
		[{ kind: 'invalid-room' }, 400, { success: false, error: 'invalid-room' }],
		[{ kind: 'agent-not-found' }, 400, { success: false, error: 'agent-not-found' }],
		[{ kind: 'unauthenticated' }, 401, { success: false, error: 'You must be logged in to do this.' }],
		[
			{ kind: 'forbidden' },
			403,
			{ success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
		],
		[
			{ kind: 'too-many-requests', waitSeconds: 42 },
			429,
			{
				success: false,
				error: 'Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]',
			},
		],
		[{ kind: 'internal', cause: new Error('db down at 10.0.0.3') }, 500, { success: false, error: 'Internal server error' }],
	])('maps %j', (error, status, content) => {
		const response = errorResponse(error, { 'X-RateLimit-Limit': '5' });
		expect(response).toEqual({ status, headers: { 'content-type': 'application/json', 'X-RateLimit-Limit': '5' }, content });
		expect(JSON.stringify(response.content)).not.toMatch(/10\.0\.0\.3|at |stack/);
	});
});

describe('busy: another request is creating the visitor room (docs/cluster.md)', () => {
	it('is a 503 with Retry-After in seconds, and says so', () => {
		expect(errorResponse({ kind: 'busy', retryAfterSeconds: 12 }, { 'X-RateLimit-Limit': '5' })).toEqual({
			status: 503,
			headers: { 'content-type': 'application/json', 'X-RateLimit-Limit': '5', 'Retry-After': '12' },
			content: {
				success: false,
				error: 'Another request is creating a room for this visitor. Try again in 12 seconds. [error-room-creation-busy]',
				errorType: 'error-room-creation-busy',
			},
		});
	});
});

describe('the success envelope (CONTRACT §1.4)', () => {
	it('puts success last', () => {
		const response = successResponse(successBody({ _id: 'r' }, true));
		expect(response.status).toBe(200);
		expect(response.headers).toEqual({ 'content-type': 'application/json' });
		expect(JSON.stringify(response.content)).toBe('{"room":{"_id":"r"},"newRoom":true,"success":true}');
	});
});
