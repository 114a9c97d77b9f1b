import type { SkyForgeConfig } from '../config/env.ts';
import type { JobRegistry, JobLogger } from '../jobs/registry.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobCounters, MetricsSink } from '../ports/job-counters.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { JobScheduler } from '../ports/job-scheduler.ts';
import type { JobStore } from '../ports/job-store.ts';
import type { FlowControlStore } from '../ports/flow-control-store.ts';
import type { FlowStore } from '../ports/flow-store.ts';
import type { ScheduleStore } from '../ports/schedule-store.ts';
import type { SpanSink } from '../ports/span-sink.ts';

export type UseCaseConfig = Pick<
  SkyForgeConfig,
  'jobRetentionSeconds' | 'deadJobRetentionSeconds' | 'maxPayloadBytes' | 'maxResultBytes' | 'maxJobTimeoutMs' | 'cancelPollMs' | 'queueRateLimits' | 'workerCapacity'
>;

/** Everything a use case needs, passed in: use cases never import adapters. */
export interface Dependencies {
  store: JobStore;
  /** Rate windows and parallelism slots of flow-control keys. */
  flowControl: FlowControlStore;
  /** Flow items and the gates of dependent jobs (docs/flows.md). */
  flows: FlowStore;
  queue: JobQueue;
  scheduler: JobScheduler;
  schedules: ScheduleStore;
  counters: JobCounters;
  metrics: MetricsSink;
  registry: JobRegistry;
  clock: Clock;
  config: UseCaseConfig;
  logger: JobLogger;
  newId: (nowMs: number) => string;
  random: () => number;
  /** Finished spans, when OpenTelemetry export is on (`tracing: 'otel'`); absent otherwise. */
  spans?: SpanSink;
}
