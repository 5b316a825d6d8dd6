/**
 * The app's persistence (Rocket.Chat's apps_persistence collection), in memory.
 */
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { PersistenceBridge } from '@rocket.chat/apps-engine/server/bridges';
import type { HostContext } from '../context';
import { instantiate, instrumentBridge } from '../context';
import { deepClone } from '../converters';

type Association = { model: string; id: string };

function toPlain(associations: Array<RocketChatAssociationRecord>): Association[] {
	return (associations || []).map((a) => ({
		model: String(a.getModel ? a.getModel() : (a as unknown as Association).model),
		id: String(a.getID ? a.getID() : (a as unknown as Association).id),
	}));
}

function hasAll(have: Association[], wanted: Association[]): boolean {
	return wanted.every((w) => have.some((h) => h.model === w.model && h.id === w.id));
}

export function createPersistenceBridge(ctx: HostContext): PersistenceBridge {
	const Base = ctx.engine.bridges.PersistenceBridge as unknown as new () => PersistenceBridge;
	const store = ctx.persistence;
	const matching = (appId: string, associations: Array<RocketChatAssociationRecord>): string[] => {
		const wanted = toPlain(associations);
		const ids: string[] = [];
		store.forEach((record, id) => {
			if (record.appId === appId && hasAll(record.associations, wanted)) {
				ids.push(id);
			}
		});
		return ids;
	};

	abstract class HostPersistenceBridge extends Base {
		protected async purge(appId: string): Promise<void> {
			Array.from(store.keys()).forEach((id) => {
				const record = store.get(id);
				if (record && record.appId === appId) {
					store.delete(id);
				}
			});
		}

		protected async create(data: object, appId: string): Promise<string> {
			const id = ctx.newId();
			store.set(id, { appId, data: deepClone(data), associations: [] });
			return id;
		}

		protected async createWithAssociations(
			data: object,
			associations: Array<RocketChatAssociationRecord>,
			appId: string,
		): Promise<string> {
			const id = ctx.newId();
			store.set(id, { appId, data: deepClone(data), associations: toPlain(associations) });
			return id;
		}

		protected async readById(id: string, appId: string): Promise<object> {
			const record = store.get(id);
			return (record && record.appId === appId ? deepClone(record.data) : undefined) as object;
		}

		protected async readByAssociations(associations: Array<RocketChatAssociationRecord>, appId: string): Promise<Array<object>> {
			return matching(appId, associations).map((id) => deepClone((store.get(id) as { data: object }).data));
		}

		protected async remove(id: string, appId: string): Promise<object | undefined> {
			const record = store.get(id);
			if (!record || record.appId !== appId) {
				return undefined;
			}
			store.delete(id);
			return record.data;
		}

		protected async removeByAssociations(
			associations: Array<RocketChatAssociationRecord>,
			appId: string,
		): Promise<Array<object> | undefined> {
			const ids = matching(appId, associations);
			if (!ids.length) {
				return undefined;
			}
			return ids.map((id) => {
				const record = store.get(id) as { data: object };
				store.delete(id);
				return record.data;
			});
		}

		protected async update(id: string, data: object, upsert: boolean, appId: string): Promise<string> {
			const record = store.get(id);
			if (!record && !upsert) {
				throw new Error(`No data found for the id "${id}".`);
			}
			store.set(id, { appId, data: deepClone(data), associations: record ? record.associations : [] });
			return id;
		}

		protected async updateByAssociations(
			associations: Array<RocketChatAssociationRecord>,
			data: object,
			upsert: boolean,
			appId: string,
		): Promise<string> {
			const ids = matching(appId, associations);
			if (!ids.length) {
				if (!upsert) {
					throw new Error('No data found for the associations.');
				}
				return this.createWithAssociations(data, associations, appId);
			}
			ids.forEach((id) => {
				const record = store.get(id) as { associations: Association[] };
				store.set(id, { appId, data: deepClone(data), associations: record.associations });
			});
			return ids[0];
		}
	}

	return instrumentBridge(instantiate(HostPersistenceBridge), 'persistence', ctx);
}
