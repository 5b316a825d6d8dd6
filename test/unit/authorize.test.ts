import { describe, expect, it } from '@jest/globals';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { authenticate, authorize } from '../../lib/authorize';
import { parseRoles } from '../../lib/settings';

function user(roles: Array<string>): IUser {
	return { id: 'u1', username: 'u1', roles } as IUser;
}

describe('authenticate', () => {
	it('needs a user with an id', () => {
		expect(authenticate(undefined)).toEqual({ ok: false, error: { kind: 'unauthenticated' } });
		expect(authenticate({ id: '' } as IUser)).toEqual({ ok: false, error: { kind: 'unauthenticated' } });
		expect(authenticate(user([])).ok).toBe(true);
	});
});

describe('authorize (role gate)', () => {
	const allowed = parseRoles('livechat-agent, livechat-manager ,admin,,');

	it.each([['livechat-agent'], ['livechat-manager'], ['admin']])('lets a %s through', (role) => {
		expect(authorize(user(['user', role]), allowed).ok).toBe(true);
	});

	it('refuses a user without an allowed role', () => {
		expect(authorize(user(['user', 'bot']), allowed)).toEqual({ ok: false, error: { kind: 'forbidden' } });
		expect(authorize({ id: 'x', username: 'x' } as IUser, allowed)).toEqual({ ok: false, error: { kind: 'forbidden' } });
	});

	it('refuses everyone when the setting names no role', () => {
		expect(authorize(user(['admin']), parseRoles(' , '))).toEqual({ ok: false, error: { kind: 'forbidden' } });
	});
});
