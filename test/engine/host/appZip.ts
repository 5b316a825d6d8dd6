/** A compiled app (CommonJS files, the shape `rc-apps package` emits) zipped in memory, for apps the tests build. */
import AdmZip from 'adm-zip';

/** a 1x1 PNG */
const ICON = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** The zip of `app.json`, the given compiled files and a one-pixel `icon.png`. */
export function zipApp(appJson: object, files: Record<string, string>): Buffer {
	const zip = new AdmZip();
	zip.addFile('app.json', Buffer.from(JSON.stringify(appJson, null, 4)));
	for (const name of Object.keys(files)) {
		zip.addFile(name, Buffer.from(files[name]));
	}
	zip.addFile('icon.png', ICON);
	return zip.toBuffer();
}
