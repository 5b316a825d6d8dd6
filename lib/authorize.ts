import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Result } from './errors';
import { fail, ok } from './errors';

/** The user the server authenticated (it already rejects bad credentials for `authRequired` endpoints). */
export function authenticate(user: IUser | undefined): Result<IUser> {
	return user && typeof user.id === 'string' && user.id.length > 0 ? ok(user) : fail({ kind: 'unauthenticated' });
}

/** Stands in for the core permission `inbound-voip-calls`: the caller holds at least one allowed role. */
export function hasAllowedRole(user: IUser, allowedRoles: ReadonlySet<string>): boolean {
	const roles: unknown = user.roles;
	return Array.isArray(roles) && roles.some((role) => typeof role === 'string' && allowedRoles.has(role));
}

export function authorize(user: IUser, allowedRoles: ReadonlySet<string>): Result<IUser> {
	return hasAllowedRole(user, allowedRoles) ? ok(user) : fail({ kind: 'forbidden' });
}
