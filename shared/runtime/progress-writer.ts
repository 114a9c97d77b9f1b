import { StaleJobStateError } from '../domain/errors.ts';
import type { Job } from '../domain/job.ts';
import { JOB_EVENT } from '../domain/lifecycle.ts';
import type { JobLogger } from '../jobs/registry.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobStore } from '../ports/job-store.ts';

/** Progress writes of one job are at least this far apart. */
const MIN_WRITE_INTERVAL_MS = 1000;
/** A progress object larger than this is refused (it rides on the job item). */
const MAX_PROGRESS_BYTES = 4096;

/**
 * Coalesces progress reports: at most one PROGRESS write per second per job; the last value also
 * rides on the finishing write. A write refused because the lease is gone stops the attempt.
 */
export class ProgressWriter {
  latest: unknown = undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly job: Pick<Job, 'id' | 'leaseToken'>,
    private readonly deps: { store: Pick<JobStore, 'transition'>; clock: Clock },
    private readonly logger: JobLogger,
    private readonly onLeaseLost: () => void,
  ) {}

  report(value: number | Record<string, unknown>): void {
    if (typeof value === 'number' ? !Number.isFinite(value) : Buffer.byteLength(JSON.stringify(value)) > MAX_PROGRESS_BYTES) {
      this.logger.warn('progress ignored: use a number or a JSON object under 4 KB');
      return;
    }
    this.latest = typeof value === 'number' ? Math.max(0, Math.min(100, value)) : value;
    if (this.timer || this.stopped) return;
    const wait = Math.max(0, this.lastWriteAt + MIN_WRITE_INTERVAL_MS - this.deps.clock.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.deps.clock.now();
    this.lastWriteAt = now;
    try {
      const request = { event: JOB_EVENT.PROGRESS, leaseToken: this.job.leaseToken, changes: { progress: this.latest } };
      await this.deps.store.transition(this.job.id, request, now);
    } catch (error) {
      if (error instanceof StaleJobStateError) this.onLeaseLost();
      else this.logger.warn('progress write failed', { error: String(error) });
    }
  }
}
