import { describe, expect, it } from '@jest/globals';
import * as fs from 'fs';
import * as path from 'path';

import { applySetting, defaultConfig, settings, SettingId } from '../../lib/settings';

const I18N = path.join(__dirname, '..', '..', 'i18n');

describe('settings (CONTRACT §3)', () => {
	it('declares the three settings with their defaults, plus the hidden window', () => {
		expect(settings.map((s) => [s.id, s.type, s.packageValue, s.hidden === true])).toEqual([
			['allowed_roles', 'string', 'livechat-agent,livechat-manager,admin', false],
			['create_room_when_none_open', 'boolean', true, false],
			['requests_per_minute', 'int', 5, false],
			['rate_limit_window_ms', 'int', 60000, true],
		]);
	});

	it('uses the id as label key and <id>_description as description key, present in every locale', () => {
		for (const file of fs.readdirSync(I18N)) {
			const messages = JSON.parse(fs.readFileSync(path.join(I18N, file), 'utf8')) as Record<string, string>;
			for (const setting of settings) {
				expect(setting.i18nLabel).toBe(setting.id);
				expect(setting.i18nDescription).toBe(`${setting.id}_description`);
				expect([file, typeof messages[setting.id], typeof messages[`${setting.id}_description`]]).toEqual([
					file,
					'string',
					'string',
				]);
			}
		}
	});

	it('applies changes, falling back to the default on nonsense', () => {
		let config = applySetting(defaultConfig, SettingId.AllowedRoles, 'admin, bot');
		expect([...config.allowedRoles]).toEqual(['admin', 'bot']);
		config = applySetting(config, SettingId.CreateRoom, false);
		expect(config.createRoom).toBe(false);
		config = applySetting(config, SettingId.RequestsPerMinute, '0');
		expect(config.requestsPerWindow).toBe(0);
		config = applySetting(config, SettingId.RequestsPerMinute, -3);
		expect(config.requestsPerWindow).toBe(5);
		config = applySetting(config, SettingId.RequestsPerMinute, 7.9);
		expect(config.requestsPerWindow).toBe(7);
		config = applySetting(config, SettingId.RateLimitWindow, 0);
		expect(config.windowMs).toBe(60000);
		config = applySetting(config, SettingId.RateLimitWindow, 1);
		expect(config.windowMs).toBe(1);
		expect(applySetting(config, 'unknown', 1)).toBe(config);
	});
});
