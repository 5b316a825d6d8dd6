/**
 * The ready-to-paste curl commands `npm start` prints once the app answers: on the demo data the documented call
 * and friends (with what each answers), on `--data` documents the same kinds of call built from those documents.
 */
import type { RcData } from '../engine/host';
import { DEMO } from './demo';

export interface Hint {
	/** what the call shows */
	title: string;
	/** one or more lines; continuation lines end in ` \` */
	command: string;
	/** what it answers */
	expect: string;
	/** a line of explanation, when needed */
	note?: string;
}

export interface HintContext {
	url: string;
	appBaseUrl: string;
	data: RcData;
	/** true: the built-in demo database */
	demo: boolean;
	rateLimit: boolean;
}

const ALLOWED = ['livechat-agent', 'livechat-manager', 'admin'];

function q(text: string): string {
	return `'${text.replace(/'/g, `'\\''`)}'`;
}

function get(urlWithQuery: string, user?: { id: string; token: string }): string {
	const auth = user ? ` -H ${q(`X-User-Id: ${user.id}`)} -H ${q(`X-Auth-Token: ${user.token}`)}` : '';
	return `curl -s -i ${q(urlWithQuery)}${auth}`;
}

function query(params: Record<string, string>): string {
	return Object.keys(params)
		.map((key) => `${key}=${encodeURIComponent(params[key])}`)
		.join('&');
}

/** A POST with a JSON body as the user; `-i` shows the status line and headers too. */
function postJson(url: string, user: { id: string; token: string }, body: Record<string, unknown>, withHeaders: boolean): string {
	return [
		`curl -s${withHeaders ? ' -i' : ''} -X POST ${q(url)} \\`,
		`  -H ${q(`X-User-Id: ${user.id}`)} -H ${q(`X-Auth-Token: ${user.token}`)} \\`,
		`  -H 'Content-Type: application/json' -d ${q(JSON.stringify(body))}`,
	].join('\n');
}

function commandRun(url: string, user: { id: string; token: string }, body: Record<string, string>): string {
	return postJson(`${url}/api/v1/commands.run`, user, body, false);
}

/** `POST voip/room.close` with a JSON body (CONTRACT §5). */
function postClose(appBaseUrl: string, user: { id: string; token: string }, body: Record<string, unknown>): string {
	return postJson(`${appBaseUrl}/voip/room.close`, user, body, true);
}

const CLOSED_EXPECT = (rid: string): string =>
	`200 {"rid":"${rid}","success":true}; the same call again: 400 {"success":false,"error":"room-closed"}; voip/room with that rid now answers the room closed (no "open", closedAt, closer "visitor")`;

function demoHints(ctx: HintContext): Hint[] {
	const room = `${ctx.appBaseUrl}/voip/room`;
	const caller = { id: DEMO.callerId, token: DEMO.callerToken };
	return [
		{
			title: 'The documented call (Get Call Center Room: visitor token + agentId, looked up)',
			command: [
				`curl --location --request GET ${q(`${room}?${query({ token: DEMO.visitorToken, agentId: DEMO.callerId })}`)} \\`,
				`--header ${q(`X-Auth-Token: ${DEMO.callerToken}`)} \\`,
				`--header ${q(`X-User-Id: ${DEMO.callerId}`)} \\`,
				`--header 'Content-Type: application/json'`,
			].join('\n'),
			expect: `200, the documented body: {"room":{"_id":"${DEMO.roomId}","fname":"Mary",…},"newRoom":false,"success":true} (servedBy without ts: the engine drops it)`,
			note: `The documented page's token (867ad6a0…) is not its example room's visitor token; this uses the room's own (${DEMO.visitorToken}).`,
		},
		{
			title: 'By room id (rid decides, one read): a VoIP room, with its call fields',
			command: get(`${room}?${query({ token: DEMO.visitorToken, rid: DEMO.voipRoomId })}`, caller),
			expect: `200 {"room":{"_id":"${DEMO.voipRoomId}","t":"v",…,"queue":"support","direction":"inbound",…},"newRoom":false,"success":true}`,
		},
		{
			title: 'The lookup path, as the agent serving the room (kim.jane)',
			command: get(`${room}?${query({ token: DEMO.visitorToken, agentId: DEMO.agentId })}`, {
				id: DEMO.agentId,
				token: DEMO.agentToken,
			}),
			expect: `200, the same documented room, newRoom false`,
		},
		{
			title: 'Room creation: a caller with no open room gets one, served by kim.jane',
			command: get(`${room}?${query({ token: DEMO.lonelyVisitorToken, agentId: DEMO.agentId, direction: 'inbound' })}`, caller),
			expect: `200 {"room":{"_id":"<new id>","t":"l",…,"source":{"type":"app",…}},"newRoom":true,"success":true}; the same call again finds it: newRoom false`,
		},
		{
			title: 'A bad request (neither rid nor agentId)',
			command: get(`${room}?${query({ token: DEMO.visitorToken })}`, caller),
			expect: `400 {"success":false,"error":"must have required property 'agentId' [invalid-params]","errorType":"invalid-params"}`,
		},
		{
			title: 'No credentials: the server refuses before the app runs',
			command: get(`${room}?${query({ token: DEMO.visitorToken, rid: DEMO.roomId })}`),
			expect: '401, the text Unauthorized',
		},
		{
			title: '/voiproom in the documented room, as the manager sam.wise (POST /api/v1/commands.run)',
			command: commandRun(
				ctx.url,
				{ id: DEMO.managerId, token: DEMO.managerToken },
				{ command: 'voiproom', params: '', roomId: DEMO.roomId },
			),
			expect: '200 {"messages":[<the ephemeral room card the app sent you>],"success":true}',
			note: `As kim.jane (X-User-Id ${DEMO.agentId}, X-Auth-Token ${DEMO.agentToken}) the card is in Portuguese: her language is pt-BR.`,
		},
		{
			title: 'The call ends: POST voip/room.close closes the documented room, with a comment',
			command: postClose(ctx.appBaseUrl, caller, {
				rid: DEMO.roomId,
				token: DEMO.visitorToken,
				options: { comment: 'Call ended: caller hung up' },
			}),
			expect: CLOSED_EXPECT(DEMO.roomId),
			note: 'Last on purpose: once it is closed, the documented call (1.) finds no open room and creates one.',
		},
	];
}

/** Hints built from an integrator's documents: whatever the data allows. */
function dataHints(ctx: HintContext): Hint[] {
	const room = `${ctx.appBaseUrl}/voip/room`;
	const tokens = ctx.data.tokens || {};
	const callerUser = ctx.data.users.find((user) => tokens[user._id] !== undefined && user.roles.some((role) => ALLOWED.includes(role)));
	const caller = callerUser ? { id: callerUser._id, token: tokens[callerUser._id] } : undefined;
	const hints: Hint[] = [];
	const open = ctx.data.rooms.find((r) => (r.t === 'l' || r.t === 'v') && r.v && r.v.token);
	if (caller && open && open.v && open.v.token) {
		hints.push({
			title: `By room id: ${open._id}`,
			command: get(`${room}?${query({ token: open.v.token, rid: open._id })}`, caller),
			expect: `200 {"room":{"_id":"${open._id}",…},"newRoom":false,"success":true}`,
		});
	}
	const served = ctx.data.rooms.find((r) => r.t === 'l' && r.open === true && r.v && r.v.token && r.servedBy);
	if (caller && served && served.v && served.v.token && served.servedBy) {
		hints.push({
			title: `The lookup path: the open room of visitor ${served.v.username || served.v._id} served by ${served.servedBy.username || served.servedBy._id}`,
			command: get(`${room}?${query({ token: served.v.token, agentId: served.servedBy._id })}`, caller),
			expect: `200 {"room":{"_id":"${served._id}",…},"newRoom":false,"success":true}`,
		});
	}
	const lonely = ctx.data.visitors.find((v) => !ctx.data.rooms.some((r) => r.open === true && r.v && r.v._id === v._id));
	const agent = ctx.data.users.find(
		(u) => u.roles.includes('livechat-agent') && u.statusLivechat === 'available' && u.status !== 'offline',
	);
	if (caller && lonely && agent) {
		hints.push({
			title: `Room creation: visitor ${lonely.username} has no open room`,
			command: get(`${room}?${query({ token: lonely.token, agentId: agent._id, direction: 'inbound' })}`, caller),
			expect: '200 {"room":{…},"newRoom":true,"success":true}; the same call again: newRoom false',
		});
	}
	if (caller) {
		hints.push({
			title: 'A bad request (neither rid nor agentId)',
			command: get(`${room}?${query({ token: 'any' })}`, caller),
			expect: `400 {"success":false,"error":"must have required property 'agentId' [invalid-params]","errorType":"invalid-params"}`,
		});
	}
	hints.push({
		title: 'No credentials',
		command: get(`${room}?${query({ token: 'any', rid: 'any' })}`),
		expect: '401, the text Unauthorized',
	});
	const closable = ctx.data.rooms.find((r) => r.t === 'l' && r.open === true && r.v && r.v.token);
	if (caller && closable && closable.v && closable.v.token) {
		hints.push({
			title: `The call ends: POST voip/room.close closes room ${closable._id}`,
			command: postClose(ctx.appBaseUrl, caller, { rid: closable._id, token: closable.v.token, options: { comment: 'Call ended' } }),
			expect: CLOSED_EXPECT(closable._id),
		});
	}
	if (!caller) {
		hints.push({
			title: 'No user with a token holds livechat-agent, livechat-manager or admin',
			command: `# add "tokens": { "<userId>": "<token>" } to the data file to call as one of your users`,
			expect: '',
		});
	}
	return hints;
}

export function buildHints(ctx: HintContext): Hint[] {
	return ctx.demo ? demoHints(ctx) : dataHints(ctx);
}

/** The printed block. */
export function formatHints(ctx: HintContext): string {
	const lines: string[] = ['', 'Try it (copy and paste):', ''];
	buildHints(ctx).forEach((hint, i) => {
		lines.push(`# ${i + 1}. ${hint.title}`);
		if (hint.note) {
			lines.push(`#    ${hint.note}`);
		}
		lines.push(hint.command);
		if (hint.expect) {
			lines.push(`#  → ${hint.expect}`);
		}
		lines.push('');
	});
	lines.push(
		ctx.rateLimit
			? "Rate limit: 5 requests per minute per user and endpoint, the app's default; refused calls count too, so a 6th call within a minute answers 429. `npm start -- --no-rate-limit` turns it off."
			: 'Rate limit: off (--no-rate-limit: the setting requests_per_minute is 0).',
	);
	lines.push(`Engine and runtime: curl -s ${ctx.url}/api/info    Stop: Ctrl-C`);
	return lines.join('\n');
}
