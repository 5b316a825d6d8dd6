/**
 * The listener bridge is how the *server* forwards events into the engine; the engine never calls it, and
 * this host does not fire server events.
 */
import type { IListenerBridge } from '@rocket.chat/apps-engine/server/bridges';
import { notImplemented } from '../context';

export function createListenerBridge(): IListenerBridge {
	return {
		messageEvent: async () => {
			throw notImplemented('listener.messageEvent');
		},
		roomEvent: async () => {
			throw notImplemented('listener.roomEvent');
		},
		uiKitInteractionEvent: async () => {
			throw notImplemented('listener.uiKitInteractionEvent');
		},
	} as IListenerBridge;
}
