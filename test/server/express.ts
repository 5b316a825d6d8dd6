/**
 * The bits of express 4 that decide what an HTTP client receives from Rocket.Chat's app router:
 * `res.set(headers)`, `res.status(n)`, `res.send(body)` (JSON for objects, `text/html` for strings, a weak ETag,
 * 304 for a matching If-None-Match, no body for HEAD/204/304), `res.sendStatus(404)`, and the production error
 * page of `finalhandler` (a body the JSON or urlencoded parser refuses). Written after express' lib/response.js.
 */
import * as crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import * as http from 'http';

export type HeaderMap = Record<string, string>;

/** etag's weak ETag: W/"<length hex>-<sha1 base64, 27 chars>". */
export function weakEtag(body: Buffer): string {
	const hash = crypto.createHash('sha1').update(body).digest('base64').substring(0, 27);
	return `W/"${body.length.toString(16)}-${hash}"`;
}

/** fresh(): the request's If-None-Match names this ETag (weak comparison), and no `Cache-Control: no-cache`. */
function isFresh(req: IncomingMessage, etag: string | undefined): boolean {
	const noneMatch = req.headers['if-none-match'];
	if (!noneMatch || !etag) {
		return false;
	}
	if (/(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(String(req.headers['cache-control'] || ''))) {
		return false;
	}
	if (noneMatch.trim() === '*') {
		return true;
	}
	const bare = (tag: string): string => tag.replace(/^W\//, '');
	return noneMatch.split(',').some((tag) => bare(tag.trim()) === bare(etag));
}

function withUtf8Charset(type: string): string {
	const [mime, ...params] = type.split(';').map((part) => part.trim());
	const kept = params.filter((param) => param && !/^charset=/i.test(param));
	return [mime, ...kept, 'charset=utf-8'].join('; ');
}

/** express' res.set('Content-Type', …): a text/*, JSON or JavaScript type without a charset gets `; charset=utf-8`. */
function contentTypeAsSet(type: string): string {
	if (/;\s*charset\s*=/i.test(type)) {
		return type;
	}
	return /^text\/|^application\/(javascript|json)/i.test(type.split(';')[0].trim()) ? `${type}; charset=utf-8` : type;
}

export interface SendOptions {
	status: number;
	headers?: HeaderMap;
	/** a string is sent as it is (text/html unless a type is set), a Buffer as bytes, anything else as JSON */
	body?: unknown;
}

/** `res.set(headers); res.status(status); res.send(body)` as express 4 does it. Throws on an invalid header or status. */
export function sendLikeExpress(req: IncomingMessage, res: ServerResponse, options: SendOptions): void {
	const headers: HeaderMap = {};
	for (const key of Object.keys(options.headers || {})) {
		const name = key.toLowerCase();
		const value = String((options.headers as HeaderMap)[key]);
		http.validateHeaderName(name);
		http.validateHeaderValue(name, value);
		headers[name] = name === 'content-type' ? contentTypeAsSet(value) : value;
	}
	if (!Number.isInteger(options.status) || options.status < 100 || options.status > 999) {
		throw new RangeError(`Invalid status code: ${String(options.status)}`);
	}
	let status = options.status;
	let body: Buffer | undefined;
	const content = options.body;
	if (typeof content === 'string') {
		headers['content-type'] = withUtf8Charset(headers['content-type'] || 'text/html');
		body = Buffer.from(content, 'utf8');
	} else if (Buffer.isBuffer(content) || content instanceof Uint8Array) {
		headers['content-type'] = headers['content-type'] || 'application/octet-stream';
		body = Buffer.from(content);
	} else if (content !== undefined && content !== null) {
		// res.json: JSON.stringify, application/json unless the app set a type, then send(string) sets the charset
		headers['content-type'] = withUtf8Charset(headers['content-type'] || 'application/json');
		body = Buffer.from(JSON.stringify(content), 'utf8');
	} else if (content === null) {
		body = Buffer.alloc(0);
	}
	if (body !== undefined) {
		headers['content-length'] = String(body.length);
		const method = req.method || 'GET';
		if (!headers.etag && (method === 'GET' || method === 'HEAD')) {
			headers.etag = weakEtag(body);
		}
		if ((method === 'GET' || method === 'HEAD') && ((status >= 200 && status < 300) || status === 304) && isFresh(req, headers.etag)) {
			status = 304;
		}
	}
	if (status === 204 || status === 304) {
		delete headers['content-type'];
		delete headers['content-length'];
		delete headers['transfer-encoding'];
		body = undefined;
	}
	res.statusCode = status;
	for (const name of Object.keys(headers)) {
		res.setHeader(name, headers[name]);
	}
	if (req.method === 'HEAD' || body === undefined) {
		res.end();
	} else {
		res.end(body);
	}
}

/** `res.sendStatus(code)`: the status text as a text/plain body. */
export function sendStatus(req: IncomingMessage, res: ServerResponse, status: number): void {
	sendLikeExpress(req, res, {
		status,
		headers: { 'content-type': 'text/plain' },
		body: http.STATUS_CODES[status] || String(status),
	});
}

/** finalhandler's page for an error with a status (production: the status text only, never a stack). */
export function sendErrorPage(req: IncomingMessage, res: ServerResponse, status: number): void {
	const text = http.STATUS_CODES[status] || String(status);
	const body = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${text}</pre>\n</body>\n</html>\n`;
	res.statusCode = status;
	res.setHeader('Content-Security-Policy', "default-src 'none'");
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.setHeader('Content-Length', String(Buffer.byteLength(body)));
	res.end(req.method === 'HEAD' ? undefined : body);
}

/** A JSON answer of Rocket.Chat's REST API (`/api/v1/…`, `/api/info`): `Content-Type: application/json`, no charset. */
export function sendApiJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
	const text = Buffer.from(JSON.stringify(body), 'utf8');
	res.statusCode = status;
	res.setHeader('Content-Type', 'application/json');
	res.setHeader('Content-Length', String(text.length));
	res.end(req.method === 'HEAD' ? undefined : text);
}
