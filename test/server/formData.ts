/**
 * Rocket.Chat's getUploadFormData (apps/meteor/app/api/server/lib/getUploadFormData.ts), with the same parser
 * (busboy, `defParamCharset: 'utf8'`, `limits: { files: 1, fileSize }`): one file, in the expected field, plus
 * the text fields. Its refusals are the ones Rocket.Chat's REST layer turns into 400s:
 *
 *   'Missing Content-Type' / 'Unsupported content type: …' / 'Malformed content type' (busboy, not multipart)
 *   MeteorError('invalid-field')          a file under another field name
 *   'Just 1 file is allowed'              a second file
 *   MeteorError('error-file-too-large')   over `sizeLimit` (FileUpload_MaxFileSize, default 104857600)
 *   MeteorError('No file uploaded')       no file at all
 */
import busboy from 'busboy';
import type { IncomingMessage } from 'http';
import type { Readable } from 'stream';

import { MeteorError } from './restApi';

/** Rocket.Chat's default FileUpload_MaxFileSize (100 MiB). */
export const DEFAULT_MAX_FILE_SIZE = 104857600;

export interface UploadedForm {
	fieldname: string;
	filename: string;
	mimetype: string;
	fileBuffer: Buffer;
	fields: Record<string, string>;
}

export function getUploadFormData(req: IncomingMessage, options: { field: string; sizeLimit?: number }): Promise<UploadedForm> {
	const sizeLimit = options.sizeLimit === undefined ? DEFAULT_MAX_FILE_SIZE : options.sizeLimit;
	return new Promise<UploadedForm>((resolve, reject) => {
		let parser: busboy.Busboy;
		try {
			parser = busboy({
				headers: req.headers,
				defParamCharset: 'utf8',
				limits: { files: 1, ...(sizeLimit > -1 ? { fileSize: sizeLimit } : {}) },
			});
		} catch (e) {
			req.resume();
			reject(e);
			return;
		}
		const fields: Record<string, string> = Object.create(null) as Record<string, string>;
		let uploaded: UploadedForm | undefined;
		let settled = false;
		const fail = (reason: unknown): void => {
			if (!settled) {
				settled = true;
				req.unpipe(parser);
				req.resume();
				reject(reason);
			}
		};
		parser.on('field', (name: string, value: string) => {
			if (name !== '__proto__') {
				fields[name] = value;
			}
		});
		parser.on('file', (fieldname: string, file: Readable & { truncated?: boolean }, info: busboy.FileInfo) => {
			if (fieldname !== options.field) {
				file.resume();
				fail(new MeteorError('invalid-field'));
				return;
			}
			const chunks: Buffer[] = [];
			file.on('data', (chunk: Buffer) => chunks.push(chunk));
			file.on('end', () => {
				if (file.truncated) {
					fail(new MeteorError('error-file-too-large'));
					return;
				}
				uploaded = { fieldname, filename: info.filename || '', mimetype: info.mimeType, fileBuffer: Buffer.concat(chunks), fields };
			});
		});
		parser.on('filesLimit', () => fail('Just 1 file is allowed'));
		parser.on('error', (err: Error) => fail(err));
		parser.on('close', () => {
			if (settled) {
				return;
			}
			if (!uploaded) {
				fail(new MeteorError('No file uploaded'));
				return;
			}
			settled = true;
			resolve(uploaded);
		});
		req.on('error', fail);
		req.pipe(parser);
	});
}
