import type { JobStatus, JobView, ScheduleView } from './client/index.ts';
import { relativeTime, truncate, type Column, type Output, type Style } from './output.ts';

/** How people see a job, a dead job and a schedule in tables and detail views. */

/** BLOCKED: a job of a flow waiting for its dependencies (API.md "Flows"). */
const STATUS_STYLE: Readonly<Record<JobStatus | 'BLOCKED', Style | undefined>> = {
  BLOCKED: 'dim',
  SCHEDULED: 'blue',
  QUEUED: undefined,
  RUNNING: 'cyan',
  RETRYING: 'yellow',
  SUCCEEDED: 'green',
  DEAD: 'red',
  CANCELLED: 'gray',
};

export function statusStyle(status: string): Style | undefined {
  return STATUS_STYLE[status as JobStatus];
}

/** Compact one-line JSON, cut to `max` characters. */
export function inlineJson(value: unknown, max = 60): string {
  if (value === null || value === undefined) return '-';
  return truncate(JSON.stringify(value), max);
}

export function jobColumns(now: number): Column<JobView>[] {
  return [
    { header: 'ID', value: (j) => j.id },
    { header: 'TYPE', value: (j) => j.type, maxWidth: 32 },
    { header: 'STATUS', value: (j) => j.status, style: (j) => statusStyle(j.status) },
    { header: 'PRIORITY', value: (j) => j.priority },
    { header: 'ATTEMPTS', value: (j) => `${j.attempts}/${j.maxAttempts}`, align: 'right' },
    { header: 'CREATED', value: (j) => relativeTime(j.createdAt, now) },
    { header: 'UPDATED', value: (j) => relativeTime(j.updatedAt, now) },
  ];
}

export function deadJobColumns(now: number): Column<JobView>[] {
  return [
    { header: 'ID', value: (j) => j.id },
    { header: 'TYPE', value: (j) => j.type, maxWidth: 32 },
    { header: 'ATTEMPTS', value: (j) => `${j.attempts}/${j.maxAttempts}`, align: 'right' },
    { header: 'DIED', value: (j) => relativeTime(j.finishedAt ?? j.updatedAt, now) },
    { header: 'REASON', value: (j) => j.deadReason ?? j.lastError?.message ?? '-', maxWidth: 70 },
  ];
}

export function scheduleColumns(now: number): Column<ScheduleView>[] {
  return [
    { header: 'NAME', value: (s) => s.name },
    { header: 'EXPRESSION', value: (s) => s.expression },
    { header: 'TIMEZONE', value: (s) => s.timezone },
    { header: 'STATE', value: (s) => (s.enabled ? 'enabled' : 'paused'), style: (s) => (s.enabled ? 'green' : 'yellow') },
    { header: 'NEXT RUN', value: (s) => (s.nextRunAt ? `${s.nextRunAt} (${relativeTime(s.nextRunAt, now)})` : '-') },
    { header: 'JOB', value: (s) => `${s.job.type}${s.job.priority ? ` (${s.job.priority})` : ''}`, maxWidth: 40 },
  ];
}

/** `2026-05-01T09:00:00.000Z (5m ago)`, or null (left out) when not set. */
function when(iso: string | null | undefined, now: number): string | null {
  return iso ? `${iso} (${relativeTime(iso, now)})` : null;
}

/** The detail view of `status` and `wait`. */
export function printJob(out: Output, job: JobView, now: number): void {
  out.keyValues([
    ['id', job.id],
    ['type', job.type],
    ['status', out.paint(job.status, statusStyle(job.status))],
    ['priority', job.priority],
    ['attempts', `${job.attempts} of ${job.maxAttempts}`],
    ['created', when(job.createdAt, now)],
    ['run at', when(job.runAt, now)],
    ['next run', when(job.nextRunAt, now)],
    ['flow control', job.flowControl ? flowControlText(job.flowControl) : null],
    ['throttled until', job.throttledUntil ? `${when(job.throttledUntil, now)}, by ${job.throttleReason ?? 'its limits'}` : null],
    ['started', when(job.startedAt, now)],
    ['finished', when(job.finishedAt, now)],
    ['progress', job.progress === null || job.progress === undefined ? null : inlineJson(job.progress)],
    ['payload', inlineJson(job.payload, 200)],
    ['result', job.result === null || job.result === undefined ? null : inlineJson(job.result, 200)],
    ['last error', job.lastError ? `${job.lastError.name}: ${job.lastError.message}` : null],
    ['dead reason', job.deadReason],
    ['cancel reason', job.cancelReason],
    ['schedule', job.scheduleName],
    ['idempotency key', job.idempotencyKey],
    ['trace id', job.traceId ?? null],
    ['metadata', Object.keys(job.metadata ?? {}).length ? inlineJson(job.metadata, 200) : null],
  ]);
  if (job.history.length) {
    out.line();
    out.table(
      [
        { header: 'ATTEMPT', value: (h) => String(h.attempt), align: 'right' },
        { header: 'OUTCOME', value: (h) => h.outcome, style: (h) => statusStyle(h.outcome) ?? 'yellow' },
        { header: 'STARTED', value: (h) => relativeTime(h.startedAt, now) },
        { header: 'TOOK', value: (h) => (h.finishedAt ? `${Date.parse(h.finishedAt) - Date.parse(h.startedAt)}ms` : '-'), align: 'right' },
        { header: 'ERROR', value: (h) => (h.error ? `${h.error.name}: ${h.error.message}` : '-'), maxWidth: 80 },
      ],
      job.history,
    );
  }
}

/** `tenant-42: parallelism 2, rate 10 per 1 s` */
export function flowControlText(fc: { key: string; parallelism?: number | null; rate?: number | null; periodSeconds: number }): string {
  const limits = [
    ...(fc.parallelism != null ? [`parallelism ${fc.parallelism}`] : []),
    ...(fc.rate != null ? [`rate ${fc.rate} per ${fc.periodSeconds} s`] : []),
  ];
  return `${fc.key}: ${limits.join(', ')}`;
}
