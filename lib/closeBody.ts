import type { Result } from './errors';
import { invalidParams, ok } from './errors';
import { hasOwn } from './objects';
import { additionalProperty, checkText, MAX_PARAM_LENGTH, quote } from './params';

export const MAX_COMMENT_LENGTH = 4096;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 128;

export interface CloseOptions {
	readonly comment?: string;
	/** validated, never applied (CONTRACT §5) */
	readonly tags?: ReadonlyArray<string>;
}

export interface CloseRequest {
	readonly rid: string;
	readonly token: string;
	readonly options: CloseOptions;
}

const KNOWN = ['rid', 'token', 'options'] as const;
const OPTIONS = ['comment', 'tags'] as const;

type Fields = Record<string, unknown>;

/** A JSON object: what `express.json()` makes of `{…}`, and what `express.urlencoded()` makes of any form. */
function isObject(value: unknown): value is Fields {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstUnknown(fields: Fields, known: ReadonlyArray<string>): string | undefined {
	return Object.keys(fields).find((key) => known.indexOf(key) === -1);
}

/** `rid` and `token`: a string given once (a repeated form field arrives as an array), 1 to 256 characters. */
function checkId(name: string, value: unknown): Result<string> {
	if (Array.isArray(value)) {
		return invalidParams(`${quote(name)} must be a string, not a list (given more than once?)`);
	}
	return checkText(name, value, MAX_PARAM_LENGTH);
}

function checkTags(value: unknown): Result<ReadonlyArray<string>> {
	if (!Array.isArray(value)) {
		return invalidParams(`'options.tags' must be an array`);
	}
	if (value.length > MAX_TAGS) {
		return invalidParams(`'options.tags' must NOT have more than ${MAX_TAGS} items`);
	}
	const tags: Array<string> = [];
	for (let i = 0; i < value.length; i++) {
		const tag = checkText(`options.tags[${i}]`, value[i], MAX_TAG_LENGTH);
		if (!tag.ok) {
			return tag;
		}
		tags.push(tag.value);
	}
	return ok(tags);
}

function checkOptions(value: unknown): Result<CloseOptions> {
	if (!isObject(value)) {
		return invalidParams(`'options' must be an object`);
	}
	const unknown = firstUnknown(value, OPTIONS);
	if (unknown !== undefined) {
		return additionalProperty(`options.${unknown}`);
	}
	let comment: string | undefined;
	if (hasOwn(value, 'comment')) {
		const checked = checkText('options.comment', value.comment, MAX_COMMENT_LENGTH, true);
		if (!checked.ok) {
			return checked;
		}
		comment = checked.value;
	}
	let tags: ReadonlyArray<string> | undefined;
	if (hasOwn(value, 'tags')) {
		const checked = checkTags(value.tags);
		if (!checked.ok) {
			return checked;
		}
		tags = checked.value;
	}
	return ok({ ...(comment !== undefined && { comment }), ...(tags !== undefined && { tags }) });
}

/**
 * The body of `voip/room.close`, checked against CONTRACT §5, as Rocket.Chat hands it to the app: parsed by
 * `express.json()` or, form-encoded, by `express.urlencoded({ extended: false })` (flat string fields, a repeated
 * field as an array: so `options` can only come as JSON). No body at all arrives as `{}`.
 * The first problem found is reported, in the order of parseQuery: an unknown field, then each known one (rid,
 * token, options and inside it comment, tags), then what is missing.
 */
export function parseCloseBody(content: unknown): Result<CloseRequest> {
	if (!isObject(content)) {
		return invalidParams(`the body must be a JSON object with 'rid' and 'token'`);
	}
	const unknown = firstUnknown(content, KNOWN);
	if (unknown !== undefined) {
		return additionalProperty(unknown);
	}
	const ids: Partial<Record<'rid' | 'token', string>> = {};
	for (const name of ['rid', 'token'] as const) {
		if (hasOwn(content, name)) {
			const checked = checkId(name, content[name]);
			if (!checked.ok) {
				return checked;
			}
			ids[name] = checked.value;
		}
	}
	let options: CloseOptions = {};
	if (hasOwn(content, 'options')) {
		const checked = checkOptions(content.options);
		if (!checked.ok) {
			return checked;
		}
		options = checked.value;
	}
	const { rid, token } = ids;
	if (rid === undefined) {
		return invalidParams(`must have required property 'rid'`);
	}
	if (token === undefined) {
		return invalidParams(`must have required property 'token'`);
	}
	return ok({ rid, token, options });
}
