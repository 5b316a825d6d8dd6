/**
 * The host's AppBridges: a subclass of the engine's own AppBridges (the AppManager checks `instanceof`),
 * one bridge instance per kind, created once.
 */
import type * as Bridges from '@rocket.chat/apps-engine/server/bridges';
import type { OAuthAppsBridge } from '@rocket.chat/apps-engine/server/bridges/OAuthAppsBridge';
import type { ThreadBridge } from '@rocket.chat/apps-engine/server/bridges/ThreadBridge';
import type { HostContext } from '../context';
import { createAppActivationBridge } from './activation';
import { createApiBridge } from './api';
import { createAppDetailChangesBridge } from './appDetailChanges';
import { createCommandBridge } from './command';
import { createInternalFederationBridge } from './federation';
import { createInternalBridge } from './internal';
import { createListenerBridge } from './listener';
import { createLivechatBridge } from './livechat';
import { createMessageBridge } from './message';
import { createPersistenceBridge } from './persistence';
import { createRoomBridge } from './room';
import { createSchedulerBridge } from './scheduler';
import { createUnimplementedBridge } from './unimplemented';
import { createUserBridge } from './user';

export function createAppBridges(ctx: HostContext): Bridges.AppBridges {
	const Base = ctx.engine.bridges.AppBridges as unknown as new () => Bridges.AppBridges;
	const stub = <T>(name: string, className: string): T => createUnimplementedBridge<T>(ctx, name, className);

	const bridges = {
		api: createApiBridge(ctx),
		appActivation: createAppActivationBridge(ctx),
		appDetailChanges: createAppDetailChangesBridge(ctx),
		command: createCommandBridge(ctx),
		federation: createInternalFederationBridge(),
		internal: createInternalBridge(ctx),
		listener: createListenerBridge(),
		livechat: createLivechatBridge(ctx),
		message: createMessageBridge(ctx),
		persistence: createPersistenceBridge(ctx),
		room: createRoomBridge(ctx),
		scheduler: createSchedulerBridge(ctx),
		user: createUserBridge(ctx),
		cloudWorkspace: stub<Bridges.CloudWorkspaceBridge>('cloudWorkspace', 'CloudWorkspaceBridge'),
		contact: stub<Bridges.ContactBridge>('contact', 'ContactBridge'),
		email: stub<Bridges.EmailBridge>('email', 'EmailBridge'),
		environmentalVariable: stub<Bridges.EnvironmentalVariableBridge>('environmentalVariable', 'EnvironmentalVariableBridge'),
		experimental: stub<Bridges.ExperimentalBridge>('experimental', 'ExperimentalBridge'),
		http: stub<Bridges.HttpBridge>('http', 'HttpBridge'),
		moderation: stub<Bridges.ModerationBridge>('moderation', 'ModerationBridge'),
		oauthApps: stub<OAuthAppsBridge>('oauthApps', 'OAuthAppsBridge'),
		outboundMessage: stub<Bridges.OutboundMessageBridge>('outboundMessage', 'OutboundMessageBridge'),
		role: stub<Bridges.RoleBridge>('role', 'RoleBridge'),
		serverSetting: stub<Bridges.ServerSettingBridge>('serverSetting', 'ServerSettingBridge'),
		thread: stub<ThreadBridge>('thread', 'ThreadBridge'),
		uiInteraction: stub<Bridges.UiInteractionBridge>('uiInteraction', 'UiInteractionBridge'),
		upload: stub<Bridges.UploadBridge>('upload', 'UploadBridge'),
		videoConference: stub<Bridges.VideoConferenceBridge>('videoConference', 'VideoConferenceBridge'),
	};

	class HostAppBridges extends Base {
		getCommandBridge() {
			return bridges.command;
		}
		getContactBridge() {
			return bridges.contact;
		}
		getApiBridge() {
			return bridges.api;
		}
		getAppDetailChangesBridge() {
			return bridges.appDetailChanges;
		}
		getEnvironmentalVariableBridge() {
			return bridges.environmentalVariable;
		}
		getHttpBridge() {
			return bridges.http;
		}
		getListenerBridge() {
			return bridges.listener;
		}
		getLivechatBridge() {
			return bridges.livechat;
		}
		getMessageBridge() {
			return bridges.message;
		}
		getPersistenceBridge() {
			return bridges.persistence;
		}
		getAppActivationBridge() {
			return bridges.appActivation;
		}
		getRoomBridge() {
			return bridges.room;
		}
		getInternalBridge() {
			return bridges.internal;
		}
		getInternalFederationBridge() {
			return bridges.federation;
		}
		getServerSettingBridge() {
			return bridges.serverSetting;
		}
		getUploadBridge() {
			return bridges.upload;
		}
		getEmailBridge() {
			return bridges.email;
		}
		getUserBridge() {
			return bridges.user;
		}
		getUiInteractionBridge() {
			return bridges.uiInteraction;
		}
		getSchedulerBridge() {
			return bridges.scheduler;
		}
		getCloudWorkspaceBridge() {
			return bridges.cloudWorkspace;
		}
		getVideoConferenceBridge() {
			return bridges.videoConference;
		}
		getOAuthAppsBridge() {
			return bridges.oauthApps;
		}
		getModerationBridge() {
			return bridges.moderation;
		}
		getThreadBridge() {
			return bridges.thread;
		}
		getRoleBridge() {
			return bridges.role;
		}
		getOutboundMessageBridge() {
			return bridges.outboundMessage;
		}
		getExperimentalBridge() {
			return bridges.experimental;
		}
	}

	return new HostAppBridges();
}
