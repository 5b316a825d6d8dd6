/**
 * The apps' persistence, as Rocket.Chat's AppPersistenceBridge (apps/meteor/app/apps/server/bridges/persistence.ts)
 * over its `apps_persistence` collection (packages/models/src/models/AppsPersistence.ts: one collection for every
 * app and every instance, indexed on { appId, associations }, no unique index). Records live in the shared store
 * (`db.appsPersistence`), so every instance of a cluster sees the same ones. Each method is one synchronous step
 * here, as each MongoDB operation is atomic on its own; nothing is atomic across two of them, as on the server:
 * - create / createWithAssociations: insertOne with a new id, always (no insert-if-absent, no id of the app's);
 * - readByAssociations: `find({ appId, associations: { $all: associations } })`, the records' `data`;
 * - removeByAssociations: find, then delete every match (`remove` = deleteMany in 6.x–7.x; one 8.x line deletes
 *   only the first match), the removed records' `data`, undefined when none matched;
 * - update (by id): throws `Not implemented.`, every version;
 * - updateByAssociations: `updateOne({ appId, associations }, { $set: { data } }, { upsert })`: the association
 *   ARRAY must equal the stored one exactly (not `$all`). What it returns differs by version (the update result
 *   object in 6.x/7.x, `upsertedId.toString()` in 8.x, which throws after updating an existing record); this host
 *   returns the record's id ('' when nothing matched and nothing was upserted).
 * A non-object `data` is refused with Rocket.Chat's message.
 */
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { PersistenceBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';
import { deepClone } from '../converters';
import type { RcPersistenceRecord } from '../types';

type Association = { model: string; id: string };

function toPlain(associations: Array<RocketChatAssociationRecord>): Association[] {
	return (associations || []).map((a) => ({
		model: String(a.getModel ? a.getModel() : (a as unknown as Association).model),
		id: String(a.getID ? a.getID() : (a as unknown as Association).id),
	}));
}

function sameAssociation(a: Association, b: Association): boolean {
	return a.model === b.model && a.id === b.id;
}

/** `{ associations: { $all: wanted } }` */
function hasAll(have: Association[] | undefined, wanted: Association[]): boolean {
	return wanted.every((w) => (have || []).some((h) => sameAssociation(h, w)));
}

/** `{ associations: wanted }`: the same array, element by element */
function equalArrays(have: Association[] | undefined, wanted: Association[]): boolean {
	return !!have && have.length === wanted.length && have.every((h, i) => sameAssociation(h, wanted[i]));
}

function checkData(data: unknown): void {
	if (typeof data !== 'object') {
		throw new Error('Attempted to store an invalid data type, it must be an object.');
	}
}

export function createPersistenceBridge(ctx: HostContext): PersistenceBridge {
	const Base = ctx.engine.bridges.PersistenceBridge as unknown as new () => PersistenceBridge;
	const records = (): RcPersistenceRecord[] => ctx.db.appsPersistence as RcPersistenceRecord[];
	const find = (predicate: (record: RcPersistenceRecord) => boolean): RcPersistenceRecord[] => records().filter(predicate);
	const deleteRecords = (doomed: RcPersistenceRecord[]): void => {
		const all = records();
		for (const record of doomed) {
			const index = all.indexOf(record);
			if (index >= 0) {
				all.splice(index, 1);
			}
		}
	};
	const insert = (appId: string, data: object, associations?: Association[]): string => {
		const record: RcPersistenceRecord = { _id: ctx.newId(), appId, ...(associations ? { associations } : {}), data: deepClone(data) };
		records().push(record);
		return record._id;
	};

	abstract class HostPersistenceBridge extends Base {
		protected async purge(appId: string): Promise<void> {
			deleteRecords(find((record) => record.appId === appId));
		}

		protected async create(data: object, appId: string): Promise<string> {
			checkData(data);
			return insert(appId, data);
		}

		protected async createWithAssociations(
			data: object,
			associations: Array<RocketChatAssociationRecord>,
			appId: string,
		): Promise<string> {
			checkData(data);
			return insert(appId, data, toPlain(associations));
		}

		protected async readById(id: string, appId: string): Promise<object> {
			const record = records().find((r) => r._id === id && r.appId === appId);
			return (record ? deepClone(record.data) : undefined) as object;
		}

		protected async readByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object>> {
			const wanted = toPlain(associations);
			return find((record) => record.appId === appId && hasAll(record.associations, wanted)).map((record) => deepClone(record.data));
		}

		protected async remove(id: string, appId: string): Promise<object | undefined> {
			const record = records().find((r) => r._id === id && r.appId === appId);
			if (!record) {
				return undefined;
			}
			deleteRecords([record]);
			return record.data;
		}

		protected async removeByAssociations(
			associations: Array<RocketChatAssociationRecord>,
			appId: string,
		): Promise<Array<object> | undefined> {
			const wanted = toPlain(associations);
			const matched = find((record) => record.appId === appId && hasAll(record.associations, wanted));
			if (!matched.length) {
				return undefined;
			}
			deleteRecords(matched);
			return matched.map((record) => record.data);
		}

		protected async update(_id: string, data: object): Promise<string> {
			checkData(data);
			throw new Error('Not implemented.');
		}

		protected async updateByAssociations(
			associations: Array<RocketChatAssociationRecord>,
			data: object,
			upsert: boolean,
			appId: string,
		): Promise<string> {
			checkData(data);
			const wanted = toPlain(associations);
			const record = records().find((r) => r.appId === appId && equalArrays(r.associations, wanted));
			if (record) {
				record.data = deepClone(data);
				return record._id;
			}
			// no match and no upsert: MongoDB changes nothing and reports no error
			return upsert ? insert(appId, data, wanted) : '';
		}
	}

	return instrumentBridge(instantiate(HostPersistenceBridge), 'persistence', ctx);
}
