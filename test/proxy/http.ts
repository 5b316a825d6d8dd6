/** One HTTP request with Node's client, any body as bytes, optionally chunked, on a fresh connection. */
import type { IncomingHttpHeaders } from 'http';
import * as http from 'http';

export interface Sent {
	method?: string;
	headers?: Record<string, string>;
	body?: Buffer | string;
	/** Transfer-Encoding: chunked (no Content-Length), the body written in pieces of 64 KiB */
	chunked?: boolean;
}

export interface Answer {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
	text: string;
}

export function send(url: string, sent: Sent = {}): Promise<Answer> {
	const body = typeof sent.body === 'string' ? Buffer.from(sent.body, 'utf8') : sent.body;
	const headers: Record<string, string> = { ...sent.headers };
	if (body && !sent.chunked) {
		headers['Content-Length'] = String(body.length);
	}
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: sent.method || 'GET', headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const all = Buffer.concat(chunks);
				resolve({ status: res.statusCode || 0, headers: res.headers, body: all, text: all.toString('utf8') });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		if (body && sent.chunked) {
			for (let at = 0; at < body.length; at += 64 * 1024) {
				req.write(body.subarray(at, at + 64 * 1024));
			}
			req.end();
		} else {
			req.end(body);
		}
	});
}
