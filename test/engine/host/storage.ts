/**
 * In-memory storages for the AppManager: app metadata (Rocket.Chat's rocketchat_apps), app logs
 * (rocketchat_apps_logs) and app packages (GridFS/filesystem on a server). Each is a subclass of the
 * engine's own abstract class (the AppManager checks `instanceof`), and each implements the methods of both
 * engines (1.42 and 1.62 differ here).
 */
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type {
	AppLogStorage,
	AppMetadataStorage,
	AppSourceStorage,
	IAppLogStorageFindOptions,
	IAppStorageItem,
} from '@rocket.chat/apps-engine/server/storage';
import type { AppConsole } from '@rocket.chat/apps-engine/server/logging';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { IMarketplaceInfo } from '@rocket.chat/apps-engine/server/marketplace';
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { EngineModules } from './engine';
import { randomId } from './context';

export interface HostStorages {
	metadata: AppMetadataStorage;
	logs: AppLogStorage & { all(): ILoggerStorageEntry[] };
	source: AppSourceStorage;
}

export interface StorageOptions {
	/** keep only the newest N log entries (default: all) */
	logRetention?: number;
}

/**
 * A deep copy as a document makes the round trip through MongoDB: Dates and Buffers stay what they are, arrays and
 * objects are copied member by member (own enumerable keys), anything else object-like keeps only those keys (the
 * BSON serializer stores a Promise, which 1.42 writes as an app's status, as `{}`).
 */
function bsonCopy(value: unknown): unknown {
	if (value instanceof Date) {
		return new Date(value.getTime());
	}
	if (Buffer.isBuffer(value)) {
		return Buffer.from(value);
	}
	if (Array.isArray(value)) {
		return value.map(bsonCopy);
	}
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(value)) {
			out[key] = bsonCopy((value as Record<string, unknown>)[key]);
		}
		return out;
	}
	return value;
}

export function createStorages(engine: EngineModules, options: StorageOptions = {}): HostStorages {
	const { logRetention } = options;
	const MetadataBase = engine.storage.AppMetadataStorage as unknown as new (engineName: string) => AppMetadataStorage;
	const LogBase = engine.storage.AppLogStorage as unknown as new (engineName: string) => AppLogStorage;
	const SourceBase = engine.storage.AppSourceStorage as unknown as new () => AppSourceStorage;
	const toStorageEntry = (
		engine.logging.AppConsole as unknown as { toStorageEntry(appId: string, logger: AppConsole): ILoggerStorageEntry }
	).toStorageEntry;

	/**
	 * A document store as Rocket.Chat's (Mongo): what goes in is copied, what comes out is a copy. Handing out the
	 * stored object itself would let the engine see later writes through a document it read earlier (1.53's update()
	 * reads the old document, disables the app, then asks the old document whether the app was enabled).
	 */
	const copy = <T>(value: T): T => bsonCopy(value) as T;

	class HostMetadataStorage extends MetadataBase {
		private readonly items = new Map<string, IAppStorageItem>();

		constructor() {
			super('memory');
		}

		async create(item: IAppStorageItem): Promise<IAppStorageItem> {
			if (this.items.has(item.id)) {
				throw new Error('App already exists.');
			}
			const now = new Date();
			Object.assign(item, { _id: item._id || randomId(), createdAt: now, updatedAt: now });
			this.items.set(item.id, copy(item));
			return item;
		}

		async retrieveOne(id: string): Promise<IAppStorageItem | null> {
			const item = this.items.get(id);
			return item ? copy(item) : null;
		}

		async retrieveAll(): Promise<Map<string, IAppStorageItem>> {
			return new Map([...this.items].map(([id, item]) => [id, copy(item)]));
		}

		async retrieveAllPrivate(): Promise<Map<string, IAppStorageItem>> {
			const out = new Map<string, IAppStorageItem>();
			this.items.forEach((item, id) => {
				if (String(item.installationSource) === 'private') {
					out.set(id, copy(item));
				}
			});
			return out;
		}

		/** 1.42 */
		async update(item: IAppStorageItem): Promise<IAppStorageItem> {
			const updated = Object.assign(this.items.get(item.id) || {}, copy(item), { updatedAt: new Date() }) as IAppStorageItem;
			this.items.set(item.id, updated);
			return copy(updated);
		}

		async remove(id: string): Promise<{ success: boolean }> {
			this.items.delete(id);
			return { success: true };
		}

		async updatePartialAndReturnDocument(
			item: Partial<IAppStorageItem>,
			options?: { unsetPermissionsGranted?: boolean },
		): Promise<IAppStorageItem> {
			const id = item.id as string;
			const current = this.items.get(id);
			if (!current) {
				throw new Error(`No app stored with id ${id}`);
			}
			Object.assign(current, copy(item), { updatedAt: new Date() });
			if (options && options.unsetPermissionsGranted) {
				delete current.permissionsGranted;
			}
			return copy(current);
		}

		private byStorageId(_id: string): IAppStorageItem | undefined {
			let found: IAppStorageItem | undefined;
			this.items.forEach((item) => {
				if (item._id === _id) {
					found = item;
				}
			});
			return found;
		}

		async updateStatus(_id: string, status: AppStatus): Promise<boolean> {
			const item = this.byStorageId(_id);
			if (item) {
				item.status = status;
			}
			return !!item;
		}

		async updateSetting(_id: string, setting: ISetting): Promise<boolean> {
			const item = this.byStorageId(_id);
			if (item) {
				item.settings[setting.id] = copy(setting);
			}
			return !!item;
		}

		async updateAppInfo(_id: string, info: IAppInfo): Promise<boolean> {
			const item = this.byStorageId(_id);
			if (item) {
				item.info = copy(info);
			}
			return !!item;
		}

		async updateMarketplaceInfo(_id: string, marketplaceInfo: IMarketplaceInfo[]): Promise<boolean> {
			const item = this.byStorageId(_id);
			if (item) {
				item.marketplaceInfo = copy(marketplaceInfo);
			}
			return !!item;
		}
	}

	class HostLogStorage extends LogBase {
		private readonly entries: ILoggerStorageEntry[] = [];

		constructor() {
			super('memory');
		}

		all(): ILoggerStorageEntry[] {
			return this.entries.slice();
		}

		/** 1.62: (entry); 1.42: (appId, logger) */
		async storeEntries(entryOrAppId: ILoggerStorageEntry | string, logger?: AppConsole): Promise<ILoggerStorageEntry> {
			const entry = typeof entryOrAppId === 'string' ? toStorageEntry(entryOrAppId, logger as AppConsole) : entryOrAppId;
			if (!entry._createdAt) {
				entry._createdAt = new Date();
			}
			this.entries.push(entry);
			if (logRetention !== undefined && this.entries.length > logRetention) {
				this.entries.splice(0, this.entries.length - Math.max(0, logRetention));
			}
			return entry;
		}

		async getEntriesFor(appId: string): Promise<ILoggerStorageEntry[]> {
			return this.entries.filter((e) => e.appId === appId);
		}

		async removeEntriesFor(appId: string): Promise<void> {
			for (let i = this.entries.length - 1; i >= 0; i--) {
				if (this.entries[i].appId === appId) {
					this.entries.splice(i, 1);
				}
			}
		}

		/** 1.42 */
		async find(query: { [field: string]: unknown }, options?: IAppLogStorageFindOptions): Promise<ILoggerStorageEntry[]> {
			return (await this.findPaginated(query, options)).logs;
		}

		/** 1.62 */
		async findPaginated(
			query: { [field: string]: unknown },
			options?: IAppLogStorageFindOptions,
		): Promise<{ logs: ILoggerStorageEntry[]; total: number }> {
			const matching = this.entries.filter((e) =>
				Object.keys(query || {}).every((key) => (e as unknown as Record<string, unknown>)[key] === query[key]),
			);
			const skip = (options && options.skip) || 0;
			const limit = options && options.limit ? options.limit : matching.length;
			return { logs: matching.slice(skip, skip + limit), total: matching.length };
		}
	}

	class HostSourceStorage extends SourceBase {
		private readonly zips = new Map<string, Buffer>();

		async store(item: IAppStorageItem, zip: Buffer): Promise<string> {
			this.zips.set(item.id, zip);
			return `memory:${item.id}`;
		}

		async fetch(item: IAppStorageItem): Promise<Buffer> {
			const zip = this.zips.get(item.id);
			if (!zip) {
				throw new Error(`No package stored for app ${item.id}`);
			}
			return zip;
		}

		async update(item: IAppStorageItem, zip: Buffer): Promise<string> {
			return this.store(item, zip);
		}

		async remove(item: IAppStorageItem): Promise<void> {
			this.zips.delete(item.id);
		}
	}

	return { metadata: new HostMetadataStorage(), logs: new HostLogStorage(), source: new HostSourceStorage() };
}
