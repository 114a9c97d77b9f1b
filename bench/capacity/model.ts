import { COUNTER_SHARDS, LIST_SHARDS, PRIORITIES, WORKER_DEFAULTS, maximumConcurrencyByPriority, type Priority } from '../../shared/config/definitions.ts';
import { API_THROTTLE_DEFAULTS } from '../../infra/constructs/resolve-skyforge-config.ts';

/**
 * How far a deployed SkyForge goes, from the construct's settings and AWS's quotas
 * (../shared/design/AWS-FACTS.md): the sustained jobs/s each part allows, the first that binds,
 * the setting that lifts it, and the bill per month. A model, not a load test: every figure is
 * one line of arithmetic on the inputs below, so it can be checked by hand (test/unit/capacity.test.ts).
 */

/** AWS quotas the model checks, with their source. All are defaults; most are adjustable. */
export const AWS_QUOTAS = {
  /** API Gateway account throttle per Region (AWS-FACTS: 10,000 RPS, burst 5,000). */
  apiGatewayAccountRps: 10_000,
  /** Lambda concurrent executions per Region, the default account quota (Lambda quotas page; adjustable). */
  lambdaAccountConcurrency: 1_000,
  /** ESM MaximumConcurrency upper bound (AWS-FACTS: 2 .. 1000). */
  esmMaxConcurrency: 1_000,
  /** DynamoDB write capacity of one partition (AWS-FACTS: 1,000 WCU/s). */
  partitionWcu: 1_000,
  /** In-flight messages per standard queue (AWS-FACTS: about 120,000). */
  sqsInFlightPerQueue: 120_000,
} as const;

/** What one job needs, by how it is submitted (measured by `npm run bench -- --quick`, 2026-12-05). */
export interface JobProfile {
  /** HTTP requests per job: 1 for single submits, 1/100 through /jobs/batch. */
  apiRequestsPerJob: number;
  /** Busy ms of the api function per job (10.2 ms per POST /jobs; 119 ms per batch of 100). */
  apiMsPerJob: number;
  /** Counter writes per job on the sharded METRICS and MINUTES items (one pair per request or batch). */
  counterWritesPerJob: number;
  /** The bench's dollars per million jobs, by line. */
  dollarsPerMillion: Record<string, number>;
}

export const PROFILES: Readonly<Record<'single' | 'batch', JobProfile>> = {
  single: {
    apiRequestsPerJob: 1,
    apiMsPerJob: 10.2,
    counterWritesPerJob: 1 + 2 * 0.185,
    dollarsPerMillion: { 'API Gateway': 1.0, 'Lambda api': 0.291, 'Lambda worker': 0.112, SQS: 0.622, 'DynamoDB writes': 5.856, 'CloudWatch Logs': 0.142 },
  },
  batch: {
    apiRequestsPerJob: 0.01,
    apiMsPerJob: 1.19,
    counterWritesPerJob: 0.01 + 2 * 0.1,
    dollarsPerMillion: { 'API Gateway': 0.01, 'Lambda api': 0.015, 'Lambda worker': 0.095, SQS: 0.16, 'DynamoDB writes': 5.131, 'CloudWatch Logs': 0.021 },
  },
};

export interface CapacityInput {
  /** The load to check. */
  jobsPerSecond: number;
  /** How jobs are submitted. */
  submit: 'single' | 'batch';
  /** The queue the jobs go to. */
  priority: Priority;
  /** A job's handler time, ms. */
  jobMs: number;
  /** Worker overhead per batch besides the handlers (claim, finish, counters), ms. */
  batchOverheadMs: number;
  /** The construct's settings. */
  settings: {
    apiRateLimit: number;
    workerTotalMaximumConcurrency: number;
    workerBatchSize: number;
    lambdaAccountConcurrency: number;
  };
}

export const DEFAULT_INPUT: Omit<CapacityInput, 'jobsPerSecond'> = {
  submit: 'batch',
  priority: 'normal',
  jobMs: 100,
  batchOverheadMs: 30,
  settings: {
    apiRateLimit: API_THROTTLE_DEFAULTS.rateLimit,
    workerTotalMaximumConcurrency: WORKER_DEFAULTS.totalMaximumConcurrency,
    workerBatchSize: WORKER_DEFAULTS.batchSize,
    lambdaAccountConcurrency: AWS_QUOTAS.lambdaAccountConcurrency,
  },
};

export interface Limit {
  /** What binds. */
  name: string;
  /** The jobs/s it allows. */
  jobsPerSecond: number;
  /** The setting or quota that lifts it, for the asked load. */
  lift: string;
}

export interface CapacityReport {
  input: CapacityInput;
  /** Every limit, the lowest first. */
  limits: Limit[];
  /** The sustained jobs/s: the lowest limit. */
  sustainedJobsPerSecond: number;
  /** The first limit below the asked load, or null when it fits. */
  binding: Limit | null;
  /** Dollars per month at the asked load (30 days), by line and in all. */
  monthly: { total: number; lines: Record<string, number> };
}

const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** The capacity of a deployment for a load. */
export function capacity(input: CapacityInput): CapacityReport {
  const p = PROFILES[input.submit];
  const s = input.settings;
  const asked = input.jobsPerSecond;
  const esmConcurrency = maximumConcurrencyByPriority(s.workerTotalMaximumConcurrency)[input.priority];
  // A batch runs its messages in parallel: it takes about one job's time plus the overhead.
  const batchSeconds = (input.jobMs + input.batchOverheadMs) / 1000;
  const perBatchJobs = s.workerBatchSize;
  const workerJobsPerSecond = (esmConcurrency * perBatchJobs) / batchSeconds;
  const neededEsm = Math.ceil((asked * batchSeconds) / perBatchJobs);
  const apiConcurrencyPerJob = p.apiMsPerJob / 1000;
  const lambdaJobsPerSecond = s.lambdaAccountConcurrency / (apiConcurrencyPerJob + batchSeconds / perBatchJobs);
  const neededLambda = Math.ceil(asked * (apiConcurrencyPerJob + batchSeconds / perBatchJobs));
  // Hot keys: the counter items are sharded COUNTER_SHARDS ways, the listing index LIST_SHARDS ways.
  const counterJobsPerSecond = (COUNTER_SHARDS * AWS_QUOTAS.partitionWcu) / p.counterWritesPerJob;
  const indexJobsPerSecond = LIST_SHARDS * AWS_QUOTAS.partitionWcu;
  // Little's law: messages in flight = arrival rate x time in flight (the batch, then the delete).
  const inFlightJobsPerSecond = AWS_QUOTAS.sqsInFlightPerQueue / batchSeconds;
  const limits: Limit[] = [
    { name: 'API stage throttle (rateLimit)', jobsPerSecond: s.apiRateLimit / p.apiRequestsPerJob, lift: `api.throttle.rateLimit >= ${Math.ceil(asked * p.apiRequestsPerJob)} requests/s${input.submit === 'single' ? ', or submit through /jobs/batch (100 jobs per request)' : ''}` },
    { name: 'API Gateway account throttle', jobsPerSecond: AWS_QUOTAS.apiGatewayAccountRps / p.apiRequestsPerJob, lift: `a Service Quotas increase to ${Math.ceil(asked * p.apiRequestsPerJob)} requests/s, or /jobs/batch` },
    { name: `worker MaximumConcurrency of the ${input.priority} queue (${esmConcurrency} batches)`, jobsPerSecond: workerJobsPerSecond, lift: concurrencyLift(input.priority, neededEsm) },
    { name: 'one event source mapping (1,000 concurrent batches)', jobsPerSecond: (AWS_QUOTAS.esmMaxConcurrency * perBatchJobs) / batchSeconds, lift: 'spread the jobs over more queues (priorities), or shorter jobs' },
    { name: 'Lambda account concurrency', jobsPerSecond: lambdaJobsPerSecond, lift: `a Lambda concurrency quota of >= ${neededLambda}` },
    { name: `DynamoDB counter items (${COUNTER_SHARDS} shards x 1,000 WCU/s)`, jobsPerSecond: counterJobsPerSecond, lift: 'more COUNTER_SHARDS, or /jobs/batch (one counter write per 100 jobs)' },
    { name: `DynamoDB listing index (${LIST_SHARDS} shards x 1,000 WCU/s)`, jobsPerSecond: indexJobsPerSecond, lift: 'more LIST_SHARDS' },
    { name: 'SQS in-flight messages per queue (~120,000)', jobsPerSecond: inFlightJobsPerSecond, lift: 'spread the jobs over more queues, or shorter jobs' },
  ].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond);
  const sustained = limits[0]?.jobsPerSecond ?? 0;
  const binding = limits.find((l) => l.jobsPerSecond < asked) ?? null;
  return { input, limits, sustainedJobsPerSecond: sustained, binding, monthly: monthlyCost(asked, p) };
}

/** The smallest worker.totalMaximumConcurrency that gives `priority` at least `needed` batches. */
function concurrencyLift(priority: Priority, needed: number): string {
  if (needed > AWS_QUOTAS.esmMaxConcurrency) return `more than one queue: ${needed} concurrent batches exceed one mapping's 1,000`;
  for (let total = 2; total <= 16_000; total += 1) {
    if (maximumConcurrencyByPriority(total)[priority] >= needed) return `worker.totalMaximumConcurrency >= ${total} (the ${priority} queue gets ${needed} concurrent batches)`;
  }
  return `worker MaximumConcurrency of ${needed} on the ${priority} queue`;
}

function monthlyCost(jobsPerSecond: number, p: JobProfile): CapacityReport['monthly'] {
  const millions = (jobsPerSecond * SECONDS_PER_MONTH) / 1e6;
  const lines = Object.fromEntries(Object.entries(p.dollarsPerMillion).map(([line, dollars]) => [line, dollars * millions]));
  return { lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}

export function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}
