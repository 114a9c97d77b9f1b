/**
 * `npm run docs:grants`: regenerates the "What each function may do" section of infra/README.md
 * from the synthesized policies (test/infra/grants-doc.test.ts fails when it is stale).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderGrantsDoc, replaceGrantsSection } from './grants-doc.ts';

const readmePath = fileURLToPath(new URL('../../infra/README.md', import.meta.url));
const readme = readFileSync(readmePath, 'utf8');
const updated = replaceGrantsSection(readme, await renderGrantsDoc());
if (updated === readme) {
  console.log('infra/README.md: grants are up to date');
} else {
  writeFileSync(readmePath, updated);
  console.log('infra/README.md: grants regenerated');
}
