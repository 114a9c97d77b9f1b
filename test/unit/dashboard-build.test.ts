import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboard, GZIP_BUDGET_BYTES } from '../../ui/build.ts';

describe('the dashboard build (npm run build:ui)', () => {
  it('writes index.html, app.js and app.css, within the 200 KB gzipped budget, with cache-busting asset URLs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skyforge-ui-'));
    try {
      const build = await buildDashboard(dir);
      expect(Object.keys(build.files).sort()).toEqual(['app.css', 'app.js', 'index.html']);
      expect(build.gzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
      const html = await readFile(join(dir, 'index.html'), 'utf8');
      expect(html).toMatch(/<script type="module" src="\/ui\/app\.js\?v=[0-9a-f]{10}"><\/script>/);
      expect(html).not.toContain('{{version}}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
