/**
 * The baseline app: the engine's own floor, measured in the same run as the app. Its endpoints do nothing but the
 * engine calls a path of the real app cannot avoid, then answer the documented body (the close: `{ rid, success }`):
 *
 * | endpoint          | reads                                                     | the floor of             |
 * | ----------------- | --------------------------------------------------------- | ------------------------ |
 * | `baseline/none`   | none                                                      | an answer without reads  |
 * | `baseline/room`   | the room by id (room reader)                              | the `rid` path: one read |
 * | `baseline/rooms`  | the open rooms of a token (livechat reader, `{ token }`)  | the lookup: one read     |
 * | `baseline/lookup` | the visitor by token, then its rooms (livechat reader)    | two reads                |
 * | `baseline/close`  | the room by id, then the livechat updater closes it (POST) | the close: read + write  |
 * | `baseline/close-claimed` | the room; a claim stored, the claims read; the room again; the close; the claim removed | the close with its claim (issue 20) |
 *
 * The body is a fresh copy at every call (JSON.parse of a constant string, native and quick), as any endpoint answers
 * a new object: one constant object would let vm2 (1.42) reuse the proxies it wraps the answer in, and make the floor
 * lower than any real endpoint can get.
 *
 * Built like the host's fixture app (../engine/host/fixtureApp.ts): already "compiled" CommonJS, zipped on the
 * fly under test/.cache/bench/, never committed and independent of the packager.
 */
import * as fs from 'fs';
import * as path from 'path';

import { zipApp } from '../engine/host/appZip';
import { CACHE_DIR } from '../engine/host/engine';
import { documentedResponseAsServed } from '../engine/support';

export const BASELINE_APP_ID = '0b9d6a3e-7c41-4f0e-8d2b-5a6c3e1f9b27';

export const BASELINE_ENDPOINTS = {
	none: 'baseline/none',
	room: 'baseline/room',
	rooms: 'baseline/rooms',
	lookup: 'baseline/lookup',
	close: 'baseline/close',
	closeClaimed: 'baseline/close-claimed',
} as const;

const PERMISSIONS = ['api', 'room.read', 'livechat-visitor.read', 'livechat-room.read', 'livechat-room.write', 'persistence'];

function mainSource(body: unknown): string {
	return `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.VoipBaselineApp = void 0;
const api_1 = require("@rocket.chat/apps-engine/definition/api");
const App_1 = require("@rocket.chat/apps-engine/definition/App");
const metadata_1 = require("@rocket.chat/apps-engine/definition/metadata");
const BODY = ${JSON.stringify(JSON.stringify(body))};
function documented() {
    return { status: 200, headers: { 'content-type': 'application/json' }, content: JSON.parse(BODY) };
}
class BaselineEndpoint extends api_1.ApiEndpoint {
    constructor(app, path) {
        super(app);
        this.path = path;
        this.authRequired = true;
    }
}
class NoRead extends BaselineEndpoint {
    constructor(app) {
        super(app, '${BASELINE_ENDPOINTS.none}');
    }
    async get(request, endpoint, read, modify, http, persis) {
        return documented();
    }
}
class OneRead extends BaselineEndpoint {
    constructor(app) {
        super(app, '${BASELINE_ENDPOINTS.room}');
    }
    async get(request, endpoint, read, modify, http, persis) {
        await read.getRoomReader().getById(String(request.query.rid));
        return documented();
    }
}
class RoomsByToken extends BaselineEndpoint {
    constructor(app) {
        super(app, '${BASELINE_ENDPOINTS.rooms}');
    }
    async get(request, endpoint, read, modify, http, persis) {
        await read.getLivechatReader().getLivechatRooms({ token: String(request.query.token) });
        return documented();
    }
}
class TwoReads extends BaselineEndpoint {
    constructor(app) {
        super(app, '${BASELINE_ENDPOINTS.lookup}');
    }
    async get(request, endpoint, read, modify, http, persis) {
        const visitor = await read.getLivechatReader().getLivechatVisitorByToken(String(request.query.token));
        await read.getLivechatReader().getLivechatRooms(visitor);
        return documented();
    }
}
class ReadAndClose extends BaselineEndpoint {
    constructor(app) {
        super(app, '${BASELINE_ENDPOINTS.close}');
    }
    async post(request, endpoint, read, modify, http, persis) {
        const rid = String(request.content.rid);
        const room = await read.getRoomReader().getById(rid);
        await modify.getUpdater().getLivechatUpdater().closeRoom(room, String(request.content.options.comment));
        return { status: 200, headers: { 'content-type': 'application/json' }, content: { rid, success: true } };
    }
}
let claims = 0;
class ClaimedClose extends BaselineEndpoint {
    constructor(app) {
        super(app, '${BASELINE_ENDPOINTS.closeClaimed}');
    }
    async post(request, endpoint, read, modify, http, persis) {
        const rid = String(request.content.rid);
        await read.getRoomReader().getById(rid);
        claims += 1;
        const ofRoom = new metadata_1.RocketChatAssociationRecord(metadata_1.RocketChatAssociationModel.MISC, 'baseline-close-claims-of:' + rid);
        const own = new metadata_1.RocketChatAssociationRecord(metadata_1.RocketChatAssociationModel.MISC, 'baseline-claim:' + claims);
        await persis.createWithAssociations({ rid, at: Date.now() }, [ofRoom, own]);
        await read.getPersistenceReader().readByAssociations([ofRoom]);
        const room = await read.getRoomReader().getById(rid);
        await modify.getUpdater().getLivechatUpdater().closeRoom(room, String(request.content.options.comment));
        await persis.removeByAssociations([own]);
        return { status: 200, headers: { 'content-type': 'application/json' }, content: { rid, success: true } };
    }
}
class VoipBaselineApp extends App_1.App {
    constructor(info, logger, accessors) {
        super(info, logger, accessors);
    }
    async extendConfiguration(configuration) {
        await configuration.api.provideApi({
            visibility: api_1.ApiVisibility.PUBLIC,
            security: api_1.ApiSecurity.UNSECURE,
            endpoints: [new NoRead(this), new OneRead(this), new RoomsByToken(this), new TwoReads(this), new ReadAndClose(this), new ClaimedClose(this)],
        });
    }
}
exports.VoipBaselineApp = VoipBaselineApp;
`;
}

/** The baseline app's package, as a zip in memory. */
export async function buildBaselineZip(): Promise<Buffer> {
	const appJson = {
		id: BASELINE_APP_ID,
		version: '0.0.1',
		requiredApiVersion: '^1.42.0',
		iconFile: 'icon.png',
		author: { name: 'VoipRoom bench', homepage: 'https://example.com', support: 'https://example.com' },
		name: 'VoipBaseline',
		nameSlug: 'voip-baseline',
		classFile: 'VoipBaselineApp.ts',
		description: 'The engine floor of voip/room: the same reads and the documented body, nothing else',
		implements: [],
		permissions: PERMISSIONS.map((name) => ({ name })),
	};
	return zipApp(appJson, { 'VoipBaselineApp.js': mainSource(documentedResponseAsServed()) });
}

/** Writes the baseline app's package under test/.cache/bench/ and returns its path (for Host.installExtra). */
export async function writeBaselineZip(): Promise<string> {
	const dir = path.join(CACHE_DIR, 'bench');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, 'voip-baseline.zip');
	// atomically: a jest worker may be reading it
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, await buildBaselineZip());
	fs.renameSync(tmp, file);
	return file;
}
