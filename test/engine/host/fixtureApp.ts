/**
 * A tiny app, already "compiled" (CommonJS, ES2017, the shape `rc-apps package` emits: one .js per source
 * file), zipped on the fly. It exercises the host independently of the real app and of the packager:
 *
 * - endpoint `probe/room` (GET, authRequired): with `rid`, reads the room and checks the visitor token; without,
 *   finds the visitor by token, its open rooms, or creates a room for `agentId` (when the `create_room` setting
 *   is on). Returns the engine's room object as it is, so a test sees what the converters produced.
 *   POST echoes the request it received.
 * - command `/hostprobe [rid|announce|boom|members]`: an ephemeral answer (notifier) in the sender's thread, or a
 *   stored message (`announce`), or an exception after answering (`boom`), or the error of a reader this host
 *   does not implement (`members`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { zipApp } from './appZip';
import { CACHE_DIR } from './engine';

export const FIXTURE_APP_ID = '6d1a5c6e-2f0b-4c3e-9a57-0b5b8f3e7a11';
export const FIXTURE_ENDPOINT = 'probe/room';
export const FIXTURE_COMMAND = 'hostprobe';

export const FIXTURE_PERMISSIONS = [
	'api',
	'slashcommand',
	'room.read',
	'user.read',
	'livechat-visitor.read',
	'livechat-room.read',
	'livechat-room.write',
	'message.write',
];

const MAIN = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.HostProbeApp = void 0;
const api_1 = require("@rocket.chat/apps-engine/definition/api");
const App_1 = require("@rocket.chat/apps-engine/definition/App");
const settings_1 = require("@rocket.chat/apps-engine/definition/settings");
const probe_1 = require("./lib/probe");
class HostProbeApp extends App_1.App {
    constructor(info, logger, accessors) {
        super(info, logger, accessors);
        this.createRooms = true;
    }
    async onEnable(environment, configurationModify) {
        this.createRooms = Boolean(await environment.getSettings().getValueById('create_room'));
        return true;
    }
    async onSettingUpdated(setting, configModify, read, http) {
        if (setting.id === 'create_room') {
            this.createRooms = Boolean(setting.value);
            this.getLogger().info('create_room is now', this.createRooms);
        }
    }
    async extendConfiguration(configuration) {
        await configuration.settings.provideSetting({
            id: 'create_room', type: settings_1.SettingType.BOOLEAN, packageValue: true, required: false, public: false, i18nLabel: 'create_room',
        });
        await configuration.api.provideApi({
            visibility: api_1.ApiVisibility.PUBLIC,
            security: api_1.ApiSecurity.UNSECURE,
            endpoints: [new probe_1.ProbeEndpoint(this)],
        });
        await configuration.slashCommands.provideSlashCommand(new probe_1.ProbeCommand(this));
    }
}
exports.HostProbeApp = HostProbeApp;
`;

const PROBE = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ProbeCommand = exports.ProbeEndpoint = void 0;
const api_1 = require("@rocket.chat/apps-engine/definition/api");
class ProbeEndpoint extends api_1.ApiEndpoint {
    constructor(probe) {
        super(probe);
        this.probe = probe;
        this.path = '${FIXTURE_ENDPOINT}';
        this.authRequired = true;
    }
    async get(request, endpoint, read, modify, http, persis) {
        try {
            if (!request.user) {
                return { status: 401, content: { success: false, error: 'You must be logged in to do this.' } };
            }
            const token = String(request.query.token || '');
            const rid = request.query.rid ? String(request.query.rid) : undefined;
            if (rid) {
                const room = await read.getRoomReader().getById(rid);
                if (!room || !room.visitor || room.visitor.token !== token) {
                    return { status: 400, content: { success: false, error: 'invalid-room' } };
                }
                return { status: 200, headers: { 'X-Probe': 'rid' }, content: { room, newRoom: false, success: true } };
            }
            const visitor = await read.getLivechatReader().getLivechatVisitorByToken(token);
            if (!visitor) {
                return { status: 400, content: { success: false, error: 'invalid-token' } };
            }
            const rooms = await read.getLivechatReader().getLivechatRooms(visitor);
            if (rooms.length) {
                return { status: 200, content: { room: rooms[0], newRoom: false, success: true } };
            }
            if (!this.probe.createRooms) {
                return { status: 400, content: { success: false, error: 'invalid-room' } };
            }
            const agent = await read.getUserReader().getById(String(request.query.agentId));
            if (!agent) {
                return { status: 400, content: { success: false, error: 'agent-not-found' } };
            }
            const created = await modify.getCreator().getLivechatCreator().createRoom(visitor, agent, {
                source: { type: 'app', id: this.app.getID(), alias: this.app.getName() },
                customFields: { direction: 'inbound' },
            });
            return { status: 200, content: { room: created, newRoom: true, success: true } };
        }
        catch (e) {
            this.app.getLogger().error('probe failed', e && e.message ? e.message : String(e));
            return { status: 500, content: { success: false, error: 'Internal server error' } };
        }
    }
    async post(request, endpoint, read, modify, http, persis) {
        return { status: 201, content: { method: request.method, headers: request.headers, query: request.query, content: request.content, user: request.user ? { id: request.user.id, username: request.user.username, roles: request.user.roles } : null } };
    }
}
exports.ProbeEndpoint = ProbeEndpoint;
class ProbeCommand {
    constructor(app) {
        this.app = app;
        this.command = '${FIXTURE_COMMAND}';
        this.i18nParamsExample = 'rid';
        this.i18nDescription = 'probe';
        this.providesPreview = false;
    }
    async executor(context, read, modify, http, persis) {
        const [arg] = context.getArguments();
        const sender = context.getSender();
        const here = context.getRoom();
        if (arg === 'announce') {
            const builder = modify.getCreator().startMessage().setRoom(here).setText('announcement from ' + sender.username);
            await modify.getCreator().finish(builder);
            return;
        }
        if (arg === 'members') {
            let text;
            try {
                const members = await read.getRoomReader().getMembers(here.id);
                text = 'members: ' + members.length;
            }
            catch (e) {
                text = 'error: ' + (e && e.message ? e.message : String(e));
            }
            await modify.getNotifier().notifyUser(sender, modify.getCreator().startMessage().setRoom(here).setText(text).getMessage());
            return;
        }
        const room = arg && arg !== 'boom' ? await read.getRoomReader().getById(arg) : here;
        const appUser = await read.getUserReader().getAppUser();
        const lang = sender.settings && sender.settings.preferences && sender.settings.preferences.language || 'en';
        const text = room ? 'room ' + room.id + ' type ' + room.type + ' for ' + sender.username + ' lang ' + lang : 'no room ' + arg;
        const builder = modify.getCreator().startMessage().setRoom(here).setText(text);
        if (appUser) {
            builder.setSender(appUser);
        }
        const thread = context.getThreadId();
        if (thread) {
            builder.setThreadId(thread);
        }
        await modify.getNotifier().notifyUser(sender, builder.getMessage());
        if (arg === 'boom') {
            throw new Error('probe command exploded');
        }
    }
}
exports.ProbeCommand = ProbeCommand;
`;

export interface FixtureOptions {
	/** the declared permissions (default FIXTURE_PERMISSIONS) */
	permissions?: string[];
}

/** The fixture app's package, as a zip in memory. */
export async function buildFixtureZip(options: FixtureOptions = {}): Promise<Buffer> {
	const appJson = {
		id: FIXTURE_APP_ID,
		version: '0.0.1',
		requiredApiVersion: '^1.42.0',
		iconFile: 'icon.png',
		author: { name: 'VoipRoom test host', homepage: 'https://example.com', support: 'https://example.com' },
		name: 'HostProbe',
		nameSlug: 'host-probe',
		classFile: 'HostProbeApp.ts',
		description: 'Throwaway app that exercises the test host',
		implements: [],
		permissions: (options.permissions || FIXTURE_PERMISSIONS).map((name) => ({ name })),
	};
	return zipApp(appJson, { 'HostProbeApp.js': MAIN, 'lib/probe.js': PROBE });
}

/** Writes the fixture app's package under test/.cache/host/ and returns its path (for HostOptions.zipPath). */
export async function writeFixtureZip(options: FixtureOptions = {}, name = 'host-probe'): Promise<string> {
	const dir = path.join(CACHE_DIR, 'host');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${name}.zip`);
	// atomically: other jest workers may be reading it
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, await buildFixtureZip(options));
	fs.renameSync(tmp, file);
	return file;
}
