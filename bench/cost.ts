import type { LambdaUsage, LocalCloudUsage } from '../local/cloud.ts';
import { PRICES } from './prices.ts';

/** One priced line of a bill. */
export interface CostLine {
  item: string;
  /** Billed quantity per job (requests, units, GB-s...). */
  perJob: number;
  unit: string;
  /** Dollars per million jobs. */
  perMillion: number;
}

export interface CostEstimate {
  lines: CostLine[];
  perMillion: number;
}

/** What a run used, beyond the emulators' own counters: the EMF bytes written and item sizes. */
export interface WorkloadFigures {
  jobs: number;
  usage: LocalCloudUsage;
  /** Bytes of EMF documents the functions wrote (CloudWatch Logs ingestion). */
  emfBytes: number;
  emfDocuments: number;
  /**
   * Billed ms to price per function instead of the ms measured in the run. The local cloud runs
   * every function, emulator and client on one event loop, so a loaded run's durations are mostly
   * waiting for that loop; durations measured unloaded are what a Lambda would bill.
   */
  billedMs?: Record<string, number>;
}

/** The difference of two usage snapshots: what happened between them. */
export function usageBetween(before: LocalCloudUsage, after: LocalCloudUsage): LocalCloudUsage {
  const minus = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(a)) {
      const d = v - (b[k] ?? 0);
      if (d !== 0) out[k] = d;
    }
    return out;
  };
  const lambda: Record<string, LambdaUsage> = {};
  for (const [name, a] of Object.entries(after.lambda)) {
    const b = before.lambda[name];
    lambda[name] = {
      invocations: a.invocations - (b?.invocations ?? 0),
      durationMs: a.durationMs - (b?.durationMs ?? 0),
      billedMs: a.billedMs - (b?.billedMs ?? 0),
      memoryMb: a.memoryMb,
    };
  }
  const dynamodb =
    after.dynamodb && before.dynamodb
      ? {
          writeUnits: minus(after.dynamodb.writeUnits, before.dynamodb.writeUnits),
          writeUnitsByOperation: minus(after.dynamodb.writeUnitsByOperation, before.dynamodb.writeUnitsByOperation),
          readUnitsByOperation: minus(after.dynamodb.readUnitsByOperation, before.dynamodb.readUnitsByOperation),
          failedConditionalWrites: after.dynamodb.failedConditionalWrites - before.dynamodb.failedConditionalWrites,
          itemsWritten: Object.fromEntries(
            Object.entries(after.dynamodb.itemsWritten).map(([op, w]) => {
              const b = before.dynamodb?.itemsWritten[op];
              return [op, { count: w.count - (b?.count ?? 0), bytes: w.bytes - (b?.bytes ?? 0) }];
            }),
          ),
        }
      : after.dynamodb;
  return {
    calls: minus(after.calls, before.calls),
    sqs: {
      billableRequests: after.sqs.billableRequests - before.sqs.billableRequests,
      emptyReceives: after.sqs.emptyReceives - before.sqs.emptyReceives,
      messagesReceived: after.sqs.messagesReceived - before.sqs.messagesReceived,
      messagesDeleted: after.sqs.messagesDeleted - before.sqs.messagesDeleted,
    },
    dynamodb,
    lambda,
  };
}

const sum = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

/** Lambda's price for invocations of `memoryMb` billed `billedMs` in all. */
export function lambdaCost(invocations: number, billedMs: number, memoryMb: number): number {
  return invocations * PRICES.lambdaRequest + (billedMs / 1000) * (memoryMb / 1024) * PRICES.lambdaArmGbSecond;
}

/** Dollars per million jobs of a measured run, line by line. */
export function estimateCost(figures: WorkloadFigures): CostEstimate {
  const { usage, jobs } = figures;
  if (!usage.dynamodb) throw new Error('the run was not metered: start the local cloud with meterCapacity');
  const perMillion = (dollars: number): number => (dollars / jobs) * 1e6;
  const lines: CostLine[] = [];
  const api = usage.lambda['api'];
  const apiRequests = api?.invocations ?? 0;
  lines.push({ item: 'API Gateway HTTP API', perJob: apiRequests / jobs, unit: 'requests', perMillion: perMillion(apiRequests * PRICES.apiGatewayHttpRequest) });
  for (const [name, fn] of Object.entries(usage.lambda)) {
    if (fn.invocations === 0) continue;
    const billedMs = figures.billedMs?.[name] ?? fn.billedMs;
    const gbSeconds = (billedMs / 1000) * (fn.memoryMb / 1024);
    lines.push({
      item: `Lambda ${name} (${fn.memoryMb} MB, ${(billedMs / fn.invocations).toFixed(1)} ms avg)`,
      perJob: fn.invocations / jobs,
      unit: `invokes, ${(gbSeconds / jobs).toFixed(5)} GB-s`,
      perMillion: perMillion(lambdaCost(fn.invocations, billedMs, fn.memoryMb)),
    });
  }
  lines.push({
    item: `SQS (${usage.sqs.emptyReceives} empty receives in all)`,
    perJob: usage.sqs.billableRequests / jobs,
    unit: 'requests',
    perMillion: perMillion(usage.sqs.billableRequests * PRICES.sqsRequest),
  });
  const writeUnits = sum(usage.dynamodb.writeUnits);
  const indexUnits = sum(Object.fromEntries(Object.entries(usage.dynamodb.writeUnits).filter(([k]) => k.includes('/index/'))));
  lines.push({
    item: `DynamoDB writes (${(indexUnits / jobs).toFixed(2)} of them index writes)`,
    perJob: writeUnits / jobs,
    unit: 'WRU',
    perMillion: perMillion(writeUnits * PRICES.dynamoDbWriteUnit),
  });
  const readUnits = sum(usage.dynamodb.readUnitsByOperation);
  lines.push({ item: 'DynamoDB reads', perJob: readUnits / jobs, unit: 'RRU', perMillion: perMillion(readUnits * PRICES.dynamoDbReadUnit) });
  lines.push({
    item: `CloudWatch Logs, EMF (${figures.emfDocuments} documents)`,
    perJob: figures.emfBytes / jobs,
    unit: 'bytes',
    perMillion: perMillion(figures.emfBytes * PRICES.cloudWatchLogsByte),
  });
  return { lines, perMillion: lines.reduce((total, line) => total + line.perMillion, 0) };
}

/** What the floor is computed from: sizes and durations measured in the same run. */
export interface FloorInputs {
  /** The job item as submitted, bytes (DynamoDB's rules). */
  submittedItemBytes: number;
  /** The job item when it ended, result included. */
  finalItemBytes: number;
  /** Mean billed ms of one api invocation and one worker invocation in the run. */
  apiMsPerInvoke: number;
  apiMemoryMb: number;
  workerMsPerInvoke: number;
  workerMemoryMb: number;
  /** Mean bytes of one EMF document. */
  emfBytesPerDocument: number;
}

/**
 * AWS-FACTS.md's floor, at this workload's measured sizes and durations: 1 API request, 1 api
 * invoke, 1 SQS send + 1/10 receive + 1/10 delete, 3 single-item writes at the job's size (the
 * create and the start at its submitted size, the finish at its final size, the result being
 * part of the job), 1/10 worker invoke and one EMF document per batch. No index writes, no
 * counters, no reads: what no design can go below.
 */
export function floorCost(inputs: FloorInputs): CostEstimate {
  const units = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
  const writeUnits = 2 * units(inputs.submittedItemBytes) + units(inputs.finalItemBytes);
  const lines: CostLine[] = [
    { item: 'API Gateway HTTP API', perJob: 1, unit: 'requests', perMillion: 1e6 * PRICES.apiGatewayHttpRequest },
    { item: 'Lambda api', perJob: 1, unit: 'invokes', perMillion: 1e6 * lambdaCost(1, inputs.apiMsPerInvoke, inputs.apiMemoryMb) },
    { item: 'SQS', perJob: 1.2, unit: 'requests', perMillion: 1e6 * 1.2 * PRICES.sqsRequest },
    { item: 'DynamoDB writes', perJob: writeUnits, unit: 'WRU', perMillion: 1e6 * writeUnits * PRICES.dynamoDbWriteUnit },
    { item: 'Lambda worker', perJob: 0.1, unit: 'invokes', perMillion: 1e6 * lambdaCost(0.1, 0.1 * inputs.workerMsPerInvoke, inputs.workerMemoryMb) },
    { item: 'CloudWatch Logs, EMF', perJob: inputs.emfBytesPerDocument / 10, unit: 'bytes', perMillion: 1e6 * (inputs.emfBytesPerDocument / 10) * PRICES.cloudWatchLogsByte },
  ];
  return { lines, perMillion: lines.reduce((total, line) => total + line.perMillion, 0) };
}

/** Calls per job by operation, biggest first. */
export function callsPerJob(usage: LocalCloudUsage, jobs: number): Array<{ operation: string; perJob: number }> {
  return Object.entries(usage.calls)
    .map(([operation, count]) => ({ operation, perJob: count / jobs }))
    .sort((a, b) => b.perJob - a.perJob);
}
