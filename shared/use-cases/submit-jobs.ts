import { CounterDeltas } from '../domain/counter-deltas.ts';
import { IdempotencyKeyReusedError, JobNotSentError, SkyForgeError } from '../domain/errors.ts';
import { JOB_STATUS, type Job } from '../domain/job.ts';
import { groupOf } from '../domain/metrics.ts';
import type { JobTemplate } from '../domain/schedule.ts';
import type { JobMessage } from '../ports/job-queue.ts';
import { buildJob, type BuildOptions, type Prepared } from './build-job.ts';
import type { Dependencies } from './dependencies.ts';
import { markUnsentDead } from './mark-unsent-dead.ts';
import { flushCounters } from './transition-job.ts';

/** A job body as the API accepts it (already checked for shape by the HTTP schema). */
export interface JobRequest extends JobTemplate {
  delayMs?: number;
  runAt?: string;
  idempotencyKey?: string;
}

export type SubmitOutcome =
  | { ok: true; status: 201 | 200; job: Job; replayed: boolean }
  | { ok: false; error: SkyForgeError };


/**
 * Creates jobs: validate against the registry, write each job item (one conditional put), then
 * send their messages grouped in SendMessageBatch calls, or, for a job due more than 15 minutes
 * out (SQS's longest delay), create a one-time EventBridge schedule that sends it when due.
 * One bad item never sinks the others. A message or schedule that cannot be created leaves its
 * job DEAD with the reason (visible in /dlq and replayable), never silently missing.
 */
export async function submitJobs(
  requests: readonly JobRequest[],
  deps: Dependencies,
  buildOptions: (index: number) => BuildOptions = () => ({}),
): Promise<SubmitOutcome[]> {
  const now = deps.clock.now();
  const outcomes: (SubmitOutcome | undefined)[] = new Array(requests.length);
  const prepared = requests.map((request, index): Prepared | undefined => {
    try {
      return buildJob(request, deps, now, buildOptions(index));
    } catch (error) {
      if (!(error instanceof SkyForgeError)) throw error;
      outcomes[index] = { ok: false, error };
      return undefined;
    }
  });
  const created = await storeJobs(prepared, outcomes, deps, now);
  const failed = await sendCreated(created, deps);
  const deltas = new CounterDeltas();
  for (const { index, job } of created) {
    const failure = failed.get(job.id);
    if (failure === undefined) {
      deltas.move(groupOf(job), null, job.status);
      continue;
    }
    outcomes[index] = { ok: false, error: await recordEnqueueFailure(job, failure, deps) };
    deltas.move(groupOf(job), null, JOB_STATUS.DEAD);
  }
  await flushCounters(deps, deltas);
  return outcomes.map((outcome, index) => {
    // Every index was answered above; a hole would be a bug, and a job is never dropped silently.
    if (!outcome) throw new Error(`submit produced no outcome for item ${index}`);
    return outcome;
  });
}

/** Writes each prepared job (one conditional put) and answers replays and key reuse; returns what was created. */
async function storeJobs(
  prepared: readonly (Prepared | undefined)[],
  outcomes: (SubmitOutcome | undefined)[],
  deps: Dependencies,
  now: number,
): Promise<(Prepared & { index: number })[]> {
  const created: (Prepared & { index: number })[] = [];
  await Promise.all(
    prepared.map(async (p, index) => {
      if (!p) return;
      const result = await deps.store.create(p.job, p.event, now);
      if (result.created) {
        outcomes[index] = { ok: true, status: 201, job: result.job, replayed: false };
        created.push({ ...p, job: result.job, index });
      } else if (result.existing.bodyHash === p.job.bodyHash) {
        outcomes[index] = { ok: true, status: 200, job: result.existing, replayed: true };
      } else {
        outcomes[index] = { ok: false, error: new IdempotencyKeyReusedError(p.job.idempotencyKey ?? '', result.existing.id) };
      }
    }),
  );
  return created;
}

type SendFailure = { what: 'queued' | 'scheduled'; reason: string };

/** Messages in SendMessageBatch calls, one-time schedules for jobs due beyond 15 minutes; returns what failed, by job id. */
async function sendCreated(created: readonly Prepared[], deps: Dependencies): Promise<Map<string, SendFailure>> {
  const failed = new Map<string, SendFailure>();
  const messages: JobMessage[] = created
    .filter((p) => !p.viaScheduler)
    .map((p) => ({ jobId: p.job.id, priority: p.job.priority, delaySeconds: p.delaySeconds }));
  if (messages.length > 0) {
    for (const f of await deps.queue.enqueue(messages)) failed.set(f.jobId, { what: 'queued', reason: f.reason });
  }
  await Promise.all(
    created
      .filter((p) => p.viaScheduler)
      .map(async ({ job }) => {
        try {
          await deps.scheduler.scheduleJob(job.pendingSchedule as string, job.id, job.priority, Date.parse(job.nextRunAt as string));
        } catch (error) {
          failed.set(job.id, { what: 'scheduled', reason: error instanceof Error ? error.message : String(error) });
        }
      }),
  );
  return failed;
}

/**
 * POST /jobs/batch: the items that passed the HTTP schema are submitted together; the ones that
 * did not keep their error. Outcomes come back in the items' order.
 */
export async function submitJobBatch(items: readonly (JobRequest | SkyForgeError)[], deps: Dependencies): Promise<SubmitOutcome[]> {
  const submitted = await submitJobs(
    items.filter((item): item is JobRequest => !(item instanceof SkyForgeError)),
    deps,
  );
  let next = 0;
  return items.map((item): SubmitOutcome => (item instanceof SkyForgeError ? { ok: false, error: item } : (submitted[next++] as SubmitOutcome)));
}

async function recordEnqueueFailure(job: Job, failure: SendFailure, deps: Dependencies): Promise<SkyForgeError> {
  await markUnsentDead(job, `could not be ${failure.what} (${failure.reason}); replay it with POST /dlq/${job.id}/replay`, deps);
  return new JobNotSentError(job.id, failure.what, failure.reason);
}
