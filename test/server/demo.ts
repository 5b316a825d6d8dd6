/**
 * The demo database of `npm start`: the engine tests' seed (test/engine/host/seed.ts, built around the documented
 * example room) plus what a server needs to be called over HTTP: a login token for each demo user and a manager.
 * The seed's documents and ids are kept as they are.
 */
import type { RcData, RcUser } from '../engine/host';
import { SEED, seedData } from '../engine/host';
import { setPassword } from './accounts';

export interface Credentials {
	id: string;
	token: string;
}

export const DEMO = {
	...SEED,
	/** kim.jane: livechat agent serving the documented room (her language is pt-BR) */
	agentToken: 'demo-agent-token-kim-jane',
	/** sam.wise: livechat manager, added here */
	managerId: 'M4nag3rSamW1seXyZ',
	managerToken: 'demo-manager-token-sam-wise',
	/** plain.user: no omnichannel role */
	plainUserToken: 'demo-plain-token-plain-user',
	/** admin: the workspace administrator (role admin, so manage-apps), who logs in with a password: `npm run deploy` */
	adminId: 'W0rkspac3Adm1nXy',
	adminUsername: 'admin',
	adminPassword: 'voiproom-demo-admin',
};

function manager(): RcUser {
	const created = new Date('2021-01-04T10:00:00.000Z');
	return {
		_id: DEMO.managerId,
		username: 'sam.wise',
		name: 'Sam Wise',
		roles: ['user', 'livechat-manager'],
		type: 'user',
		status: 'online',
		statusConnection: 'online',
		active: true,
		emails: [{ address: 'sam.wise@example.com', verified: true }],
		utcOffset: 1,
		createdAt: created,
		_updatedAt: created,
		settings: { preferences: { language: 'en' } },
	};
}

/** The workspace administrator: no static token, a password (POST /api/v1/login gives it a session). */
function admin(): RcUser {
	const created = new Date('2021-01-04T09:00:00.000Z');
	const user: RcUser = {
		_id: DEMO.adminId,
		username: DEMO.adminUsername,
		name: 'Workspace Admin',
		roles: ['user', 'admin'],
		type: 'user',
		status: 'online',
		statusConnection: 'online',
		active: true,
		emails: [{ address: 'admin@example.com', verified: true }],
		utcOffset: 0,
		createdAt: created,
		_updatedAt: created,
		settings: { preferences: { language: 'en' } },
	};
	setPassword(user, DEMO.adminPassword);
	return user;
}

/** A fresh copy of the demo database (the server mutates it: rooms the app creates land in it). */
export function demoData(): RcData {
	const data = seedData();
	data.users.push(manager(), admin());
	data.tokens = {
		...data.tokens,
		[DEMO.agentId]: DEMO.agentToken,
		[DEMO.managerId]: DEMO.managerToken,
		[DEMO.plainUserId]: DEMO.plainUserToken,
	};
	return data;
}

/** The demo users `startServer()` hands out: an agent, a manager, a user without roles, and the documented caller. */
export const DEMO_USERS = {
	agent: { id: DEMO.agentId, token: DEMO.agentToken },
	manager: { id: DEMO.managerId, token: DEMO.managerToken },
	plain: { id: DEMO.plainUserId, token: DEMO.plainUserToken },
	caller: { id: DEMO.callerId, token: DEMO.callerToken },
};
