/**
 * `npm start -- --proxy`: the real nginx, from the blocks of docs/original-urls.md, in front of the stand-in,
 * so that the documented curl works at its original URL (`GET /api/v1/voip/room`). Without nginx (or the Lua module
 * the shield needs) it says in one line what to install, and the stand-in runs alone.
 */
import type { HintContext } from '../server/hints';
import { buildHints } from '../server/hints';
import type { RunningProxy } from './proxies';
import { proxyTools, startNginx } from './proxies';

export interface Front {
	/** the running nginx; undefined when it could not start */
	proxy?: RunningProxy;
	/** what to print: the call at its original URL, or the one line saying why there is no proxy */
	text: string;
}

/** The server's first hint (on the demo data: the documented call), at the original URL through the proxy. */
export function originalUrlHint(ctx: HintContext, proxyUrl: string): string {
	// the hints build their URLs from appBaseUrl + '/voip/room': through the proxy, that is /api/v1/voip/room
	const [hint] = buildHints({ ...ctx, url: proxyUrl, appBaseUrl: `${proxyUrl}/api/v1` });
	return [`# ${hint.title}, at the original URL`, ...(hint.note ? [`#    ${hint.note}`] : []), hint.command, `#  → ${hint.expect}`].join(
		'\n',
	);
}

export async function startFront(options: {
	upstreamPort: number;
	port: number;
	hints: HintContext;
	env?: NodeJS.ProcessEnv;
}): Promise<Front> {
	const tools = proxyTools(options.env).nginx;
	if (tools.missing.length > 0) {
		return {
			text: `--proxy: ${tools.missing.join(', ')} not found (apt-get install ${tools.packages}); starting without the proxy`,
		};
	}
	let proxy: RunningProxy;
	try {
		// port 0: a free one, as for the server's --port 0
		proxy = await startNginx({ upstreamPort: options.upstreamPort, port: options.port === 0 ? undefined : options.port });
	} catch (e) {
		const first = (e instanceof Error ? e.message : String(e)).split('\n').find((line) => /emerg|error|failed/i.test(line));
		return {
			text: `--proxy: nginx did not start on port ${options.port} (${first || 'see its error log'}); starting without the proxy`,
		};
	}
	return {
		proxy,
		text: [
			`nginx on ${proxy.url} in front of it: the configuration of docs/original-urls.md, __proto__ shield included`,
			'',
			originalUrlHint(options.hints, proxy.url),
		].join('\n'),
	};
}
