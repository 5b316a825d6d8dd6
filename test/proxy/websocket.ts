/**
 * Just enough of RFC 6455 to prove that a proxy forwards a websocket: the upstream side answers the handshake and
 * echoes text frames, the client side opens one and exchanges a frame each way. Text frames under 126 bytes only.
 */
import * as crypto from 'crypto';
import * as http from 'http';
import type { Duplex } from 'stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
	return crypto.createHash('sha1').update(`${key}${GUID}`).digest('base64');
}

/** A final text frame; a client masks its frames, a server does not. */
export function textFrame(text: string, masked: boolean): Buffer {
	const payload = Buffer.from(text, 'utf8');
	if (payload.length > 125) {
		throw new Error('textFrame: up to 125 bytes');
	}
	if (!masked) {
		return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
	}
	const mask = crypto.randomBytes(4);
	const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
	return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, body]);
}

/** The text frames in a buffer (complete ones), unmasked. */
export function readTextFrames(data: Buffer): string[] {
	const texts: string[] = [];
	let at = 0;
	while (at + 2 <= data.length) {
		const length = data[at + 1] & 0x7f;
		const masked = (data[at + 1] & 0x80) !== 0;
		const start = at + 2 + (masked ? 4 : 0);
		if (length > 125 || start + length > data.length) {
			break;
		}
		const mask = masked ? data.subarray(at + 2, at + 6) : undefined;
		const payload = Buffer.from(data.subarray(start, start + length).map((byte, i) => (mask ? byte ^ mask[i % 4] : byte)));
		texts.push(payload.toString('utf8'));
		at = start + length;
	}
	return texts;
}

/** The upstream side (the stand-in's `onUpgrade`): handshake, a greeting frame, then `echo:<text>` for each frame. */
export function echoWebsocket(req: http.IncomingMessage, socket: Duplex): void {
	const key = String(req.headers['sec-websocket-key'] || '');
	socket.write(
		[
			'HTTP/1.1 101 Switching Protocols',
			'Upgrade: websocket',
			'Connection: Upgrade',
			`Sec-WebSocket-Accept: ${acceptKey(key)}`,
			'',
			'',
		].join('\r\n'),
	);
	socket.write(textFrame('hello from Rocket.Chat', false));
	socket.on('data', (data: Buffer) => {
		for (const text of readTextFrames(data)) {
			socket.write(textFrame(`echo:${text}`, false));
		}
	});
	// the server's sockets are half-open by default: when the proxy closes its side, close ours (or stop() waits for it)
	socket.on('end', () => socket.destroy());
	socket.on('error', () => socket.destroy());
}

export interface WebsocketExchange {
	status: number;
	accept: string | undefined;
	expectedAccept: string;
	/** the text frames received: the greeting, then the echo of `send` */
	received: string[];
}

/** Opens a websocket at `url`, sends one text frame once the greeting arrived, and returns what came back. */
export function exchangeOverWebsocket(url: string, send: string, headers: Record<string, string> = {}): Promise<WebsocketExchange> {
	const key = crypto.randomBytes(16).toString('base64');
	return new Promise((resolve, reject) => {
		const req = http.request(url, {
			agent: false,
			headers: { ...headers, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
		});
		const timer = setTimeout(() => {
			req.destroy();
			reject(new Error(`websocket ${url}: no echo within 5 s`));
		}, 5000);
		req.on('response', (res) => {
			clearTimeout(timer);
			res.resume();
			resolve({ status: res.statusCode || 0, accept: undefined, expectedAccept: acceptKey(key), received: [] });
		});
		req.on('upgrade', (res, socket, head) => {
			let data = head;
			let sent = false;
			const check = (): void => {
				const received = readTextFrames(data);
				if (!sent && received.length >= 1) {
					sent = true;
					socket.write(textFrame(send, true));
				}
				if (received.length >= 2) {
					clearTimeout(timer);
					socket.destroy();
					const accept = res.headers['sec-websocket-accept'];
					resolve({
						status: res.statusCode || 0,
						accept: Array.isArray(accept) ? accept[0] : accept,
						expectedAccept: acceptKey(key),
						received,
					});
				}
			};
			socket.on('data', (chunk: Buffer) => {
				data = Buffer.concat([data, chunk]);
				check();
			});
			socket.on('error', reject);
			check();
		});
		req.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		req.end();
	});
}
