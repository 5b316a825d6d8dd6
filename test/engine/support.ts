/** What the engine tests share: the packaged zip, a fresh host per test, the documented answer. */
import * as fs from 'fs';
import * as path from 'path';

import type { EngineName, Host, RcData } from './host';
import { SEED, seedData, startHost } from './host';
import { zipPath } from '../../tools/package';
import { ALL_ENGINES } from './engines';

export const ENGINES: ReadonlyArray<EngineName> = ALL_ENGINES;

export interface RoomBody {
	room: Record<string, unknown> & { _id: string };
	newRoom: boolean;
	success: true;
}

/** The documented example response (../shared/fixtures/documented-response.json). */
export function documentedResponse(): RoomBody {
	return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'documented-response.json'), 'utf8')) as RoomBody;
}

/** The documented response but for what Rocket.Chat's converter loses (`servedBy.ts`). */
export function documentedResponseAsServed(): RoomBody {
	const body = documentedResponse();
	const servedBy = { ...(body.room.servedBy as Record<string, unknown>) };
	delete servedBy.ts;
	body.room.servedBy = servedBy;
	return body;
}

export interface HostSetup {
	/** Changes to the seed's documents before the install. */
	data?: (data: RcData) => void;
	/** Settings changed through the engine after the install; the rate limit is off unless a test sets it. */
	settings?: Record<string, unknown>;
}

/** A fresh host on a fresh seed for one test; always stopped. */
export async function withHost<T>(engine: EngineName, setup: HostSetup, run: (host: Host) => Promise<T>): Promise<T> {
	const data = seedData();
	if (setup.data) {
		setup.data(data);
	}
	const host = await startHost({ engine, zipPath: zipPath(), data });
	try {
		const settings: Record<string, unknown> = { requests_per_minute: 0, ...setup.settings };
		for (const id of Object.keys(settings)) {
			await host.setSetting(id, settings[id]);
		}
		host.reads.reset();
		host.calls.reset();
		return await run(host);
	} finally {
		await host.stop();
	}
}

/** `GET voip/room` as the documented caller (or another user, or none). */
export function getVoipRoom(host: Host, query: Record<string, unknown>, userId: string | null = SEED.callerId) {
	return host.call('voip/room', { method: 'get', query, userId });
}

export { SEED };

/** The error entries of the app's log, as text. */
export function appErrorLog(host: Host): string {
	return host
		.logText()
		.split('\n')
		.filter((line) => / error: /.test(line))
		.join('\n');
}

/** Puts a host's store back to `data` (rooms, visitors, departments, messages) and clears its faults and counters. */
export function restoreStore(host: Host, data: RcData): void {
	host.db.rooms = data.rooms;
	host.db.visitors = data.visitors;
	host.db.departments = data.departments;
	host.db.messages = data.messages || [];
	host.faults.clear();
	host.reads.reset();
	host.calls.reset();
}

/**
 * The engine calls of a close nobody else asks for (CONTRACT §5, issue 20): the room, a close claim stored and the
 * room's claims read, the room again under the claim, Rocket.Chat's close, the claim removed.
 */
export const UNCONTENDED_CLOSE_CALLS: Readonly<Record<string, number>> = {
	'room.getById': 2,
	'persistence.createWithAssociations': 1,
	'persistence.readByAssociations': 1,
	'livechat.closeRoom': 1,
	'persistence.removeByAssociations': 1,
};
