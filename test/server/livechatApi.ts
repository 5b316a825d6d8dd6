/**
 * The public livechat visitor routes `npm run verify -- --create` uses to make and remove its test caller, as
 * Rocket.Chat has them in apps/meteor/app/livechat/server/api/v1/visitor.ts (6.x to 8.x; no authentication, like
 * the livechat widget that calls them):
 *
 *   POST   /api/v1/livechat/visitor         body `{ visitor: { token, name?, email?, department?, phone?, username? } }`
 *                                           (check(): `visitor` Match.ObjectIncluding, `token` a String, the others
 *                                           Match.Maybe(String)); a blank token: `Token cannot be empty
 *                                           [error-invalid-token]`; registerGuest: the visitor of that token is
 *                                           updated, else one is made (username `guest-N`, status online);
 *                                           answers `{ visitor, success: true }`
 *   DELETE /api/v1/livechat/visitor/:token  unknown token: 400 `[invalid-token]`; the visitor still has an OPEN room:
 *                                           400 `Cannot remove visitors with opened rooms [visitor-has-open-rooms]`
 *                                           (unless the setting Livechat_Allow_collect_and_store_HTTP_header_
 *                                           informations is on: off by default, and the stand-in has it off);
 *                                           else removeGuest (apps/meteor/app/livechat/server/lib/guests.ts):
 *                                           cleanGuestHistory removes EVERY room of that visitor token (open or
 *                                           closed) with its messages, then the visitor; answers
 *                                           `{ visitor: { _id, ts }, success: true }`
 *
 * Differences (none kinder to a request): Rocket.Chat's route rate limit on POST (5 a minute) is not modelled;
 * custom fields, connection data (HTTP headers), contacts (8.x LivechatContacts), subscriptions, inquiries, uploads
 * and read receipts are not in this store; 7.x and later keep the removed visitor as a disabled document
 * (disableById), the stand-in deletes it. A Match error's text is Meteor's; its errorType is not modelled.
 */
import type { IncomingMessage, ServerResponse } from 'http';

import type { RcData, RcVisitor } from '../engine/host';
import { randomId } from '../engine/host/context';
import { findOpenRoomsByVisitorToken } from '../engine/host/bridges/livechat';
import { answerForError, failure, MeteorError, readJsonBody, sendAnswer, sendSuccess } from './restApi';
import { sendApiJson } from './express';

const VISITOR_ROUTE = /^\/api\/v1\/livechat\/visitor(?:\/([^/]+))?\/?$/i;

export function isLivechatRoute(pathname: string): boolean {
	return VISITOR_ROUTE.test(pathname);
}

const OPTIONAL_TEXT = ['name', 'email', 'department', 'phone', 'username'];

/** check(this.bodyParams, { visitor: Match.ObjectIncluding({ token: String, …Match.Maybe(String) }) }) */
function checkVisitorBody(body: Record<string, unknown>): Record<string, unknown> {
	const extra = Object.keys(body).find((key) => key !== 'visitor');
	if (extra !== undefined) {
		throw failure(`Match error: Unknown key in field ${extra}`);
	}
	const visitor = body.visitor;
	if (visitor === null || typeof visitor !== 'object' || Array.isArray(visitor)) {
		throw failure(
			`Match error: Expected object, got ${visitor === undefined ? 'undefined' : JSON.stringify(visitor)} in field visitor`,
		);
	}
	const fields = visitor as Record<string, unknown>;
	if (typeof fields.token !== 'string') {
		throw failure(
			`Match error: Expected string, got ${fields.token === undefined ? 'undefined' : typeof fields.token} in field visitor.token`,
		);
	}
	for (const key of OPTIONAL_TEXT) {
		if (fields[key] !== undefined && fields[key] !== null && typeof fields[key] !== 'string') {
			throw failure(`Match error: Expected string, got ${typeof fields[key]} in field visitor.${key}`);
		}
	}
	return fields;
}

/** LivechatVisitors.getNextVisitorUsername: `guest-N`, N one more than the highest in use. */
function nextGuestName(db: RcData): string {
	const highest = db.visitors.reduce((max, visitor) => {
		const match = /^guest-(\d+)$/.exec(visitor.username);
		return match ? Math.max(max, Number(match[1])) : max;
	}, 0);
	return `guest-${highest + 1}`;
}

/** Visitors.registerGuest: the visitor of that token updated, or a new one. */
function registerGuest(db: RcData, fields: Record<string, unknown>): RcVisitor {
	const token = fields.token as string;
	const text = (key: string): string | undefined =>
		typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : undefined;
	const now = new Date();
	const update: Partial<RcVisitor> = {
		...(text('name') ? { name: text('name') } : {}),
		...(text('department') ? { department: text('department') } : {}),
		...(text('email') ? { visitorEmails: [{ address: (text('email') as string).toLowerCase() }] } : {}),
		...(text('phone') ? { phone: [{ phoneNumber: text('phone') as string }] } : {}),
	};
	const existing = db.visitors.find((visitor) => visitor.token === token && !visitor.disabled);
	if (existing) {
		Object.assign(existing, update, { _updatedAt: now });
		return existing;
	}
	const visitor: RcVisitor = {
		_id: randomId(),
		username: text('username') || nextGuestName(db),
		token,
		status: 'online',
		ts: now,
		...update,
		_updatedAt: now,
	};
	db.visitors.push(visitor);
	return visitor;
}

/** removeGuest → cleanGuestHistory: every room of the token and its messages, then the visitor. */
function removeGuest(db: RcData, visitor: RcVisitor): void {
	const rooms = db.rooms.filter((room) => !!room.v && room.v.token === visitor.token).map((room) => room._id);
	db.rooms = db.rooms.filter((room) => !rooms.includes(room._id));
	db.messages = (db.messages || []).filter((message) => !rooms.includes(message.rid));
	db.visitors = db.visitors.filter((candidate) => candidate !== visitor);
}

export async function serveLivechat(db: RcData, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
	const [, rawToken] = VISITOR_ROUTE.exec(pathname) || [];
	const method = req.method || 'GET';
	try {
		if (rawToken === undefined && method === 'POST') {
			const fields = checkVisitorBody(await readJsonBody(req));
			if (!(fields.token as string).trim()) {
				throw new MeteorError('error-invalid-token', 'Token cannot be empty');
			}
			sendSuccess(req, res, { visitor: JSON.parse(JSON.stringify(registerGuest(db, fields))) as Record<string, unknown> });
			return;
		}
		if (rawToken !== undefined && method === 'DELETE') {
			req.resume();
			const token = decodeURIComponent(rawToken);
			const visitor = db.visitors.find((candidate) => candidate.token === token && !candidate.disabled);
			if (!visitor) {
				// Meteor.Error('invalid-token') without a reason: its message is `[invalid-token]`
				throw failure('[invalid-token]', 'invalid-token');
			}
			if (findOpenRoomsByVisitorToken(db.rooms, token).length > 0) {
				throw new MeteorError('visitor-has-open-rooms', 'Cannot remove visitors with opened rooms');
			}
			removeGuest(db, visitor);
			sendSuccess(req, res, { visitor: { _id: visitor._id, ts: new Date().toISOString() } });
			return;
		}
		req.resume();
		sendApiJson(req, res, 404, { success: false, error: 'Not found' });
	} catch (e) {
		sendAnswer(req, res, answerForError(e));
	}
}
