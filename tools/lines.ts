/**
 * `npm run lines`: prints the compatibility table (test/engine/lines.ts) as Markdown, between its markers, to paste
 * into docs/engines.md (`npm run lines -- --front`: the README's, without the `__proto__` column);
 * test/unit/lines.test.ts fails when a page's table differs from LINES.
 */
import { linesTableMarkdown } from '../test/engine/lines';

if (require.main === module) {
	process.stdout.write(`${linesTableMarkdown(process.argv.includes('--front') ? 'front' : 'full')}\n`);
}
