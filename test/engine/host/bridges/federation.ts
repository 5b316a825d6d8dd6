/**
 * The internal federation key pair: the engine signs an installed app with the private key and checks the
 * signature with the public one when it enables the app. An RSA pair (PEM) generated with
 * crypto.generateKeyPairSync once and kept in memory; since jest gives every test file a fresh module registry
 * and a 2048-bit pair takes ~300 ms, it is also kept in test/.cache/host/ (a throwaway test key, git-ignored).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { IInternalFederationBridge } from '@rocket.chat/apps-engine/server/bridges';
import { CACHE_DIR } from '../engine';

type KeyPair = { publicKey: string; privateKey: string };

let keyPair: KeyPair | undefined;

function readCached(file: string): KeyPair | undefined {
	try {
		const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyPair;
		// both parse, and they belong together
		const signature = crypto.sign('sha256', Buffer.from('probe'), cached.privateKey);
		return crypto.verify('sha256', Buffer.from('probe'), cached.publicKey, signature) ? cached : undefined;
	} catch {
		return undefined;
	}
}

export function federationKeys(): KeyPair {
	if (keyPair) {
		return keyPair;
	}
	const file = path.join(CACHE_DIR, 'host', 'federation-keys.json');
	keyPair = readCached(file);
	if (!keyPair) {
		keyPair = crypto.generateKeyPairSync('rsa', {
			modulusLength: 2048,
			publicKeyEncoding: { type: 'spki', format: 'pem' },
			privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
		});
		try {
			fs.mkdirSync(path.dirname(file), { recursive: true });
			const tmp = `${file}.${process.pid}.tmp`;
			fs.writeFileSync(tmp, JSON.stringify(keyPair), { mode: 0o600 });
			fs.renameSync(tmp, file);
		} catch {
			// a cache only
		}
	}
	return keyPair;
}

export function createInternalFederationBridge(): IInternalFederationBridge {
	return {
		getPrivateKey: async (): Promise<string | null> => federationKeys().privateKey,
		getPublicKey: async (): Promise<string | null> => federationKeys().publicKey,
	};
}
