import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The client's compile-time contract: tsc, with the project's settings, accepts the calls in
 * test/fixtures/client-types/good.ts and rejects each call marked `// tsc-error` in
 * wrong-payload.bad.ts, on exactly those lines.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/client-types');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface TscRun {
  exitCode: number;
  /** Line numbers of errors per file name (relative to the fixtures folder). */
  errorLines: Map<string, number[]>;
  output: string;
}

let workDir: string;
let good: TscRun;
let bad: TscRun;

/** Runs tsc on one fixture with a temporary tsconfig that extends the project's. */
async function typecheck(fixture: string): Promise<TscRun> {
  const config = join(workDir, `${fixture}.tsconfig.json`);
  await writeFile(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      // Type roots are looked up from the config's folder by default, which is outside the project here.
      compilerOptions: { typeRoots: [join(ROOT, 'node_modules/@types')] },
      files: [join(FIXTURES, fixture)],
      include: [],
    }),
  );
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(process.execPath, [TSC, '-p', config, '--pretty', 'false'], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? Number((error as { code?: unknown }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
  const errorLines = new Map<string, number[]>();
  for (const match of output.matchAll(/^(.+?)\((\d+),\d+\): error TS\d+/gm)) {
    const file = (match[1] ?? '').replace(/^.*client-types\//, '');
    errorLines.set(file, [...(errorLines.get(file) ?? []), Number(match[2])]);
  }
  return { exitCode, errorLines, output };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'skyforge-client-types-'));
  [good, bad] = await Promise.all([typecheck('good.ts'), typecheck('wrong-payload.bad.ts')]);
}, 60_000);
afterAll(async () => rm(workDir, { recursive: true, force: true }));

describe('SkyForgeClient types', () => {
  it('accepts the well-typed calls', () => {
    expect(good.output).toBe('');
    expect(good.exitCode).toBe(0);
  });

  it('rejects every ill-typed call, on exactly the marked lines', async () => {
    const source = await readFile(join(FIXTURES, 'wrong-payload.bad.ts'), 'utf8');
    const marked = source
      .split('\n')
      .map((line, index) => (/\/\/ tsc-error\b/.test(line) ? index + 1 : 0))
      .filter((line) => line > 0);
    expect(marked.length).toBeGreaterThanOrEqual(9);

    expect(bad.exitCode, bad.output).not.toBe(0);
    expect([...bad.errorLines.keys()], bad.output).toEqual(['wrong-payload.bad.ts']);
    expect([...new Set(bad.errorLines.get('wrong-payload.bad.ts'))].sort((a, b) => a - b), bad.output).toEqual(marked);
  });
});
