import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRANTS_BEGIN, GRANTS_END, renderGrantsDoc } from '../../local/iam/grants-doc.ts';

/**
 * infra/README.md lists what each function may do and why, generated from the synthesized
 * policies (the same the local cloud enforces), so it cannot drift from the stack.
 */
describe('infra/README.md grants', () => {
  it('are the synthesized policies of today (npm run docs:grants regenerates them)', async () => {
    const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf(GRANTS_BEGIN), readme.indexOf(GRANTS_END) + GRANTS_END.length);

    const generated = await renderGrantsDoc();

    expect(section, 'run npm run docs:grants').toBe(generated);
    expect(generated).not.toContain('no reason recorded');
    for (const name of ['skyforge-api', 'skyforge-worker', 'skyforge-dead-letter', 'skyforge-metrics']) {
      expect(generated).toContain(`### \`${name}\``);
    }
  });
});
