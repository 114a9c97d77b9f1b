import type { Job } from '../../shared/domain/job.ts';
import type { TraceContext } from '../../shared/domain/trace-context.ts';
import type { FinishedSpan } from '../../shared/ports/span-sink.ts';
import type { Dependencies } from '../../shared/use-cases/dependencies.ts';

/** The attributes every span of a job carries (docs/tracing.md). */
export function jobAttributes(job: Pick<Job, 'id' | 'type' | 'priority' | 'attempts'>): FinishedSpan['attributes'] {
  return { 'skyforge.job.id': job.id, 'skyforge.job.type': job.type, 'skyforge.job.queue': job.priority, 'skyforge.job.attempt': job.attempts };
}

/** Records a span of the worker's that ends now (a no-op unless OpenTelemetry export is on). */
export function recordSpan(
  deps: Dependencies,
  span: { name: string; kind: FinishedSpan['kind']; trace: TraceContext; startMs: number; endMs?: number },
  attributes: FinishedSpan['attributes'],
  error?: string,
): void {
  if (!deps.spans) return;
  deps.spans.record({ ...span, endMs: span.endMs ?? deps.clock.now(), attributes, ...(error === undefined ? {} : { error }) });
}

/** The message of a failed attempt's error, for its span's status. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
