import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/openapi.json as a user's tools see it: `redocly lint` with the recommended ruleset (the
 * committed redocly.yaml) finds no error and no warning. Redocly runs offline: telemetry is off in
 * redocly.yaml and here, and its update check never runs without a terminal.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDOCLY = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
const CONFIG = join(ROOT, 'redocly.yaml');

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
}

function lint(file: string): Promise<{ exitCode: number; report: LintReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [REDOCLY, 'lint', file, '--config', CONFIG, '--format', 'json'],
      { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          resolve({ exitCode: error ? Number((error as { code?: unknown }).code ?? 1) : 0, report: JSON.parse(stdout) as LintReport, stderr });
        } catch (parseError) {
          reject(new Error(`redocly printed no JSON report: ${stderr}`, { cause: parseError }));
        }
      },
    );
  });
}

describe('redocly lint (recommended ruleset)', () => {
  it('finds no error and no warning in docs/openapi.json', async () => {
    const { exitCode, report } = await lint('docs/openapi.json');
    const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
    expect(exitCode).toBe(0);
  });

  it('would see a problem: a document without operationIds, servers or license is not clean', async () => {
    // The same run on a document stripped of what the issue added: proves the check can fail.
    const dir = await mkdtemp(join(tmpdir(), 'skyforge-lint-'));
    try {
      const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as {
        servers?: unknown;
        info: { license?: unknown };
        paths: Record<string, Record<string, { operationId?: string }>>;
      };
      delete document.servers;
      delete document.info.license;
      delete document.paths['/jobs']?.post?.operationId;
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const { exitCode, report } = await lint(file);
      expect(new Set(report.problems.map((p) => p.ruleId))).toEqual(new Set(['no-empty-servers', 'info-license', 'operation-operationId']));
      expect(exitCode).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('extends the recommended ruleset, and every rule redocly.yaml turns off carries its reason', () => {
    const lines = readFileSync(CONFIG, 'utf8').split('\n');
    expect(lines).toContain('  - recommended');
    lines.forEach((line, index) => {
      if (!/^\s+[\w.-]+:\s*off\s*$/.test(line)) return;
      expect(lines[index - 1]?.trim().startsWith('#'), `${line.trim()} needs a comment above it saying why`).toBe(true);
    });
  });
});
