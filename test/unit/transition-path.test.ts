import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_EVENT } from '../../shared/domain/lifecycle.ts';

/*
 * The one transition path, checked on the production sources: every event of the lifecycle
 * table is written somewhere, and no call site lists the statuses a write may start from (the
 * store takes them from the table).
 */

const ROOT = new URL('../..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const PRODUCTION = [...sources('shared'), ...sources('functions')].filter((f) => f !== join('shared', 'domain', 'lifecycle.ts'));
const TEXT = new Map(PRODUCTION.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

describe('one transition path', () => {
  it.each(Object.values(JOB_EVENT))('%s is performed by production code', (event) => {
    const users = [...TEXT].filter(([, text]) => text.includes(`JOB_EVENT.${event}`)).map(([file]) => file);
    expect(users.length).toBeGreaterThan(0);
  });

  it('no production call site lists the statuses a write may start from', () => {
    const listing = [...TEXT].filter(([, text]) => /statuses:\s*\[|status = \$\{expr\.value\(JOB_STATUS/.test(text)).map(([file]) => file);
    expect(listing).toEqual([]);
  });

  it('ports hold only types and interfaces', () => {
    const ports = sources(join('shared', 'ports')).map((f) => readFileSync(join(ROOT, f), 'utf8'));
    for (const text of ports) {
      expect(text).not.toMatch(/^export (const|function|class|let) /m);
      expect(text).not.toMatch(/^import (?!type )/m);
    }
  });

  it('the domain imports nothing from config, adapters or runtime, and no AWS package', () => {
    const domain = sources(join('shared', 'domain')).map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const);
    for (const [file, text] of domain) {
      expect(text, file).not.toMatch(/from '(\.\.\/)+(config|adapters|runtime|use-cases)\//);
      expect(text, file).not.toMatch(/from '@aws-sdk/);
    }
  });

  it('only the zod loader reads the environment', () => {
    const readers = [...TEXT].filter(([, text]) => text.includes('process.env')).map(([file]) => file);
    expect(readers).toEqual([join('shared', 'config', 'env.ts')]);
  });
});
