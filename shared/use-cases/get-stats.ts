import type { JobStatus } from '../domain/job.ts';
import type { Priority } from '../config/definitions.ts';
import { jobsByStatus } from '../domain/metrics.ts';
import type { QueueDepth } from '../ports/job-queue.ts';
import type { Dependencies } from './dependencies.ts';

export interface Stats {
  queues: Record<Priority, QueueDepth>;
  /**
   * Jobs per status from the aggregate counters (QUEUED: plus the messages ready in the queues,
   * see jobsByStatus). Active states are current counts; terminal states count every job that
   * ever reached them (expired ones included), like Sidekiq's "Processed" and "Dead".
   */
  jobs: Record<JobStatus, number>;
}

export async function getStats(deps: Dependencies): Promise<Stats> {
  const [queues, groups] = await Promise.all([deps.queue.depths(), deps.counters.read()]);
  const ready = Object.values(queues).reduce((sum, depth) => sum + depth.ready, 0);
  return { queues, jobs: jobsByStatus(groups, ready) };
}

export interface Readiness {
  ready: boolean;
  checks: Record<'dynamodb' | 'sqs', { ok: boolean; error?: string; ms: number }>;
}

/** /readyz: both backing services answer within the time limit. */
export async function checkReadiness(deps: Dependencies, timeoutMs = 3000): Promise<Readiness> {
  const probe = async (name: string, fn: () => Promise<void>) => {
    const started = Date.now();
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
      ]);
      return { ok: true, ms: Date.now() - started };
    } catch (error) {
      // The answer names the error only: SDK messages name the account, role and table
      // ("User: arn:aws:sts::123456789012:assumed-role/... is not authorized ..."); the log keeps them.
      deps.logger.warn('readiness probe failed', { probe: name, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      return { ok: false, error: error instanceof Error ? error.name : 'Error', ms: Date.now() - started };
    }
  };
  const [dynamodb, sqs] = await Promise.all([probe('dynamodb', () => deps.store.ping()), probe('sqs', () => deps.queue.ping())]);
  return { ready: dynamodb.ok && sqs.ok, checks: { dynamodb, sqs } };
}
