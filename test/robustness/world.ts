/**
 * The data the robustness tests run against: the host's seed (the documented room, its visitor, agents, a
 * lonely visitor without a room) plus a few hostile documents, and the helpers every robustness test shares.
 */
import type { EngineName, Host, RcData, RcUser, RcVisitor } from '../engine/host';
import { SEED, seedData, startHost } from '../engine/host';
import { zipPath } from '../../tools/package';

export { SEED };

export const WORLD = {
	/** an omnichannel room whose visitor document is gone (deleted visitor) */
	ghostRoomId: 'gh0stR00mAbCdEfGh',
	ghostVisitorId: 'gh0stV1s1t0rAbCdE',
	ghostVisitorToken: 'ghost-visitor-token',
	/** a second visitor without any room (the concurrency tests' visitor B) */
	otherLonelyVisitorId: '0th3rL0n3lyV1s1tR',
	otherLonelyVisitorToken: 'other-lonely-visitor-token',
};

/** The host's seed plus the hostile documents above. */
export function worldData(): RcData {
	const data = seedData();
	data.rooms.push({
		_id: WORLD.ghostRoomId,
		t: 'l',
		fname: 'Ghost',
		v: { _id: WORLD.ghostVisitorId, username: 'guest-404', token: WORLD.ghostVisitorToken, status: 'offline' },
		open: true,
		msgs: 1,
		ts: new Date('2021-07-11T10:00:00.000Z'),
		_updatedAt: new Date('2021-07-11T10:00:00.000Z'),
		servedBy: { _id: SEED.agentId, username: 'kim.jane', ts: new Date('2021-07-11T10:00:01.000Z') },
	});
	const visitor: RcVisitor = {
		_id: WORLD.otherLonelyVisitorId,
		username: 'guest-167',
		name: 'Other Lonely Caller',
		token: WORLD.otherLonelyVisitorToken,
		status: 'online',
		ts: new Date('2021-01-04T10:00:00.000Z'),
		_updatedAt: new Date('2021-01-04T10:00:00.000Z'),
	};
	data.visitors.push(visitor);
	return data;
}

export interface RobustHostOptions {
	data?: RcData;
	/** settings changed through the engine after the install; the rate limit is off unless given */
	settings?: Record<string, unknown>;
	logRetention?: number;
	/** 1.62: the engine's timeout for each request to the app's Deno process (default 30000) */
	runtimeTimeoutMs?: number;
}

/** One host for a whole describe block (the robustness runs are long; one install per engine). */
export async function startRobustHost(engine: EngineName, options: RobustHostOptions = {}): Promise<Host> {
	const host = await startHost({
		engine,
		zipPath: zipPath(),
		data: options.data || worldData(),
		logRetention: options.logRetention,
		runtimeTimeoutMs: options.runtimeTimeoutMs,
	});
	try {
		const settings: Record<string, unknown> = { requests_per_minute: 0, ...options.settings };
		for (const id of Object.keys(settings)) {
			await host.setSetting(id, settings[id]);
		}
	} catch (e) {
		await host.stop();
		throw e;
	}
	host.reads.reset();
	host.calls.reset();
	return host;
}

/** A livechat agent, online and available (routing gives it rooms), with only the roles given. */
export function onlineUser(id: string, roles: Array<string>): RcUser {
	return {
		_id: id,
		username: `user.${id}`,
		name: `User ${id}`,
		roles,
		type: 'user',
		status: 'online',
		statusConnection: 'online',
		statusLivechat: 'available',
		active: true,
	};
}

/** Closes every open room of a visitor in the store (as an agent closing the chat would). */
export function closeOpenRoomsOf(host: Host, visitorToken: string): number {
	let closed = 0;
	for (const room of host.db.rooms) {
		if (room.open === true && room.v && room.v.token === visitorToken) {
			room.open = false;
			room.closedAt = new Date();
			closed += 1;
		}
	}
	return closed;
}

export const ENABLED = ['auto_enabled', 'manually_enabled'];

/** The app's own log entries: everything but the engine's debug lines (which carry every request's query). */
export function appOwnLogEntries(host: Host): Array<{ method: string; severity: string; text: string }> {
	const out: Array<{ method: string; severity: string; text: string }> = [];
	for (const record of host.logs()) {
		for (const entry of record.entries) {
			if (entry.severity !== 'debug') {
				out.push({ method: record.method, severity: entry.severity, text: JSON.stringify(entry.args) });
			}
		}
	}
	return out;
}
