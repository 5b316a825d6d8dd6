import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';

/** Setting ids: the i18n label key is the id, the description key is `<id>_description`. */
export enum SettingId {
	AllowedRoles = 'allowed_roles',
	CreateRoom = 'create_room_when_none_open',
	RequestsPerMinute = 'requests_per_minute',
	RateLimitWindow = 'rate_limit_window_ms',
}

export interface VoipRoomConfig {
	/** Roles of which the caller must hold at least one. */
	readonly allowedRoles: ReadonlySet<string>;
	/** Create a livechat room when the visitor has none open. */
	readonly createRoom: boolean;
	/** Requests per caller and window; 0 turns the limiter off. */
	readonly requestsPerWindow: number;
	/** Length of the rate-limit window in milliseconds (60000: "per minute"). */
	readonly windowMs: number;
}

export const DEFAULT_ALLOWED_ROLES = 'livechat-agent,livechat-manager,admin';
export const DEFAULT_REQUESTS_PER_MINUTE = 5;
export const DEFAULT_WINDOW_MS = 60000;

export const settings: ReadonlyArray<ISetting> = [
	{
		id: SettingId.AllowedRoles,
		type: SettingType.STRING,
		packageValue: DEFAULT_ALLOWED_ROLES,
		required: false,
		public: false,
		i18nLabel: SettingId.AllowedRoles,
		i18nDescription: `${SettingId.AllowedRoles}_description`,
	},
	{
		id: SettingId.CreateRoom,
		type: SettingType.BOOLEAN,
		packageValue: true,
		required: false,
		public: false,
		i18nLabel: SettingId.CreateRoom,
		i18nDescription: `${SettingId.CreateRoom}_description`,
	},
	{
		id: SettingId.RequestsPerMinute,
		type: SettingType.NUMBER,
		packageValue: DEFAULT_REQUESTS_PER_MINUTE,
		required: false,
		public: false,
		i18nLabel: SettingId.RequestsPerMinute,
		i18nDescription: `${SettingId.RequestsPerMinute}_description`,
	},
	{
		// Operators' knob (hidden in the admin UI): the window the limit counts over.
		id: SettingId.RateLimitWindow,
		type: SettingType.NUMBER,
		packageValue: DEFAULT_WINDOW_MS,
		required: false,
		public: false,
		hidden: true,
		i18nLabel: SettingId.RateLimitWindow,
		i18nDescription: `${SettingId.RateLimitWindow}_description`,
	},
];

export function parseRoles(value: unknown): ReadonlySet<string> {
	const text = typeof value === 'string' ? value : DEFAULT_ALLOWED_ROLES;
	return new Set(
		text
			.split(',')
			.map((role) => role.trim())
			.filter((role) => role.length > 0),
	);
}

function parseCount(value: unknown, fallback: number): number {
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

function parseBoolean(value: unknown, fallback: boolean): boolean {
	if (typeof value === 'boolean') {
		return value;
	}
	if (value === 'true' || value === 'false') {
		return value === 'true';
	}
	return fallback;
}

export const defaultConfig: VoipRoomConfig = {
	allowedRoles: parseRoles(DEFAULT_ALLOWED_ROLES),
	createRoom: true,
	requestsPerWindow: DEFAULT_REQUESTS_PER_MINUTE,
	windowMs: DEFAULT_WINDOW_MS,
};

/** The configuration after one setting changed; values that make no sense fall back to the default. */
export function applySetting(config: VoipRoomConfig, id: string, value: unknown): VoipRoomConfig {
	switch (id) {
		case SettingId.AllowedRoles:
			return { ...config, allowedRoles: parseRoles(value) };
		case SettingId.CreateRoom:
			return { ...config, createRoom: parseBoolean(value, true) };
		case SettingId.RequestsPerMinute:
			return { ...config, requestsPerWindow: parseCount(value, DEFAULT_REQUESTS_PER_MINUTE) };
		case SettingId.RateLimitWindow: {
			const ms = parseCount(value, DEFAULT_WINDOW_MS);
			return { ...config, windowMs: ms > 0 ? ms : DEFAULT_WINDOW_MS };
		}
		default:
			return config;
	}
}
