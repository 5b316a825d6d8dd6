/**
 * Test taps on the stand-in's HTTP server (`startServer({ onRequest, onUpgrade })`): every request as it arrived,
 * its body byte for byte before any parsing (the proxy tests compare it with what the client sent), and websocket
 * upgrade requests (Rocket.Chat serves its DDP websocket at /websocket; the stand-in has no websocket of its own, so
 * without `onUpgrade` it answers an upgrade request as the plain request it also is: 404).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'http';

export interface ReceivedRequest {
	method: string;
	/** the request target exactly as it arrived (path and query string, not decoded) */
	url: string;
	headers: IncomingHttpHeaders;
	/** the body's bytes as they arrived (chunked transfer coding removed, nothing else) */
	body: Buffer;
	/** false when the connection ended before the whole body arrived */
	complete: boolean;
}

/**
 * Calls `onReceived` once the request's body has ended. It taps `push`, through which Node's HTTP parser hands the
 * body to the request stream, so it sees every byte whoever reads the body, however (or whether) they read it.
 */
export function tapRequest(req: IncomingMessage, onReceived: (request: ReceivedRequest) => void): void {
	const chunks: Buffer[] = [];
	const push = req.push.bind(req);
	req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
		if (chunk === null) {
			const body = Buffer.concat(chunks);
			onReceived({ method: req.method || '', url: req.url || '', headers: req.headers, body, complete: req.complete });
		} else if (Buffer.isBuffer(chunk)) {
			chunks.push(chunk);
		}
		return push(chunk, encoding);
	};
}
