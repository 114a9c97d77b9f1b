import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { jobRequestSchema } from '../../shared/http/schemas.ts';
import type { BatchItem, EnqueueOptions, UntypedJobs } from '../client/index.ts';
import type { CommandContext } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { formatRanges } from '../output.ts';

/** POST /jobs/batch takes at most 100 jobs (API.md). */
export const BATCH_SIZE = 100;
/** The API refuses request bodies over 5 MiB; stay well under it whatever the payloads weigh. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Batches in flight at once. */
const CONCURRENCY = 4;
/** The fields of a POST /jobs body, straight from the API's schema. */
const JOB_BODY_FIELDS = new Set(Object.keys(jobRequestSchema.shape));
/** Failures listed one per line in the human summary (all of them are in --json). */
const FAILURES_SHOWN = 20;

export interface LineFailure {
  line: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The `--json` document of `enqueue --file`. */
export interface FileSummary {
  file: string;
  /** Job lines read (blank lines are skipped). */
  lines: number;
  created: number;
  /** Lines whose idempotencyKey named a job that already existed (no new job). */
  replayed: number;
  failed: number;
  failures: LineFailure[];
  /**
   * Lines of batches that did not get through: the batch whose request failed as a whole
   * (network, auth, 5xx) and those not started after it. Resubmit them (with idempotencyKey
   * fields, a resubmit can never make a second job).
   */
  notSent: number[];
  jobs: { line: number; id: string; status: string }[];
}

interface PendingLine {
  line: number;
  item: BatchItem<UntypedJobs>;
  bytes: number;
}

/**
 * `enqueue --file`: one job body per line (the body of POST /jobs), sent through /jobs/batch in
 * chunks of 100, a few chunks at a time. A line the API refuses fails alone; a request that fails
 * as a whole (network, auth) stops the run, and the summary lists the lines not sent. Flags given
 * with --file are defaults that each line's own fields override.
 *
 * Exit: 0 when every line made a job, 1 when any line failed, else the stopping error's code.
 */
export async function enqueueFile(ctx: CommandContext, path: string, defaults: EnqueueOptions): Promise<number> {
  const text = await readSource(ctx, path);
  const failures: LineFailure[] = [];
  const pending: PendingLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const parsed = parseLine(raw, i + 1, defaults);
    if ('code' in parsed) failures.push(parsed);
    else pending.push(parsed);
  });
  const lines = pending.length + failures.length;
  if (lines === 0) throw new CliUsageError(`${path} has no job lines (expected one JSON job body per line)`);

  const summary: FileSummary = { file: path, lines, created: 0, replayed: 0, failed: 0, failures, notSent: [], jobs: [] };
  const chunks = chunk(pending);
  const progress = ctx.out.progress('enqueueing', lines);
  let done = failures.length;
  let next = 0;
  let stoppedBy: unknown;

  const sendChunks = async (): Promise<void> => {
    for (let current = chunks[next++]; current && stoppedBy === undefined; current = chunks[next++]) {
      try {
        const results = await ctx.client().enqueueBatch(current.map((p) => p.item));
        for (const result of results) {
          const line = current[result.index]?.line ?? -1;
          if (result.job) {
            summary.jobs.push({ line, id: result.job.id, status: result.job.status });
            if (result.replayed) summary.replayed += 1;
            else summary.created += 1;
          } else {
            const error = result.error;
            // The API names fields by their place in the batch ("jobs.2.priority: ..."); the line number says it better.
            const message = (error?.message ?? `status ${result.status}`).replace(/^jobs\.\d+\.?/, '');
            failures.push({ line, code: error?.code ?? `HTTP_${result.status}`, message, ...(error?.details ? { details: error.details } : {}) });
          }
        }
      } catch (error) {
        stoppedBy ??= error;
        summary.notSent.push(...current.map((p) => p.line));
      }
      done += current.length;
      progress.update(done, failures.length ? `${failures.length} failed` : undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, chunks.length) }, sendChunks));
  // Chunks nobody picked up after the stop.
  for (const rest of chunks.slice(next)) summary.notSent.push(...rest.map((p) => p.line));
  progress.finish();

  failures.sort((a, b) => a.line - b.line);
  summary.notSent.sort((a, b) => a - b);
  summary.jobs.sort((a, b) => a.line - b.line);
  summary.failed = failures.length;
  if (ctx.json) ctx.out.json(summary);
  else printSummary(ctx, summary);

  if (stoppedBy !== undefined) throw stoppedBy;
  return failures.length ? EXIT.FAILED : EXIT.OK;
}

function parseLine(raw: string, line: number, defaults: EnqueueOptions): PendingLine | LineFailure {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    return { line, code: 'INVALID_JSON', message: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { line, code: 'VALIDATION_ERROR', message: 'a line must be a JSON object (a POST /jobs body)' };
  }
  const { type, payload, ...options } = body as Record<string, unknown>;
  if (typeof type !== 'string' || type === '') return { line, code: 'VALIDATION_ERROR', message: 'type is required', details: { field: 'type' } };
  // The client sends only the fields it knows, so a misspelt one would vanish silently; the API
  // refuses unknown fields, and so does this, line by line. The API checks the values.
  const extra = Object.keys(options).filter((field) => !JOB_BODY_FIELDS.has(field));
  if (extra.length) return { line, code: 'VALIDATION_ERROR', message: `unknown field ${extra.join(', ')}`, details: { field: extra[0] } };
  const item = { type, payload, options: { ...defaults, ...options } as EnqueueOptions };
  return { line, item, bytes: Buffer.byteLength(raw) };
}

function chunk(pending: readonly PendingLine[]): PendingLine[][] {
  const chunks: PendingLine[][] = [];
  let current: PendingLine[] = [];
  let bytes = 0;
  for (const p of pending) {
    if (current.length === BATCH_SIZE || (current.length > 0 && bytes + p.bytes > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += p.bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** The text of `path` (relative to the working directory), or of stdin for `-`; an unreadable file is a usage error. */
export async function readSource(ctx: CommandContext, path: string): Promise<string> {
  if (path === '-') return readAll(ctx.stdin());
  try {
    return await readFile(resolve(ctx.cwd, path), 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === 'string' ? Buffer.from(part) : (part as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

function printSummary(ctx: CommandContext, s: FileSummary): void {
  const { out } = ctx;
  const parts = [`${s.created} created`];
  if (s.replayed) parts.push(`${s.replayed} already existed (same idempotencyKey)`);
  parts.push(out.paint(`${s.failed} failed`, s.failed ? 'red' : undefined));
  if (s.notSent.length) parts.push(out.paint(`${s.notSent.length} not sent`, 'yellow'));
  out.line(`${s.file}: ${s.lines} jobs: ${parts.join(', ')}`);
  for (const f of s.failures.slice(0, FAILURES_SHOWN)) out.line(`  line ${f.line}: ${f.code}: ${f.message}`);
  if (s.failures.length > FAILURES_SHOWN) out.line(`  ... and ${s.failures.length - FAILURES_SHOWN} more (--json lists them all)`);
  if (s.failures.length) out.line(`failed lines: ${formatRanges(s.failures.map((f) => f.line))}`);
  if (s.notSent.length) out.line(`not sent (a batch request failed; resubmit these): lines ${formatRanges(s.notSent)}`);
}
