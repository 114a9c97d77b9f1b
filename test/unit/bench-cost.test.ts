import { describe, expect, it } from 'vitest';
import type { LocalCloudUsage } from '../../local/cloud.ts';
import { estimateCost, floorCost, usageBetween } from '../../bench/cost.ts';
import { AWS_FACTS_FLOOR_PER_MILLION } from '../../bench/prices.ts';
import { gapToFloor } from '../../bench/report.ts';
import { percentile, summarize } from '../../bench/stats.ts';

const usage = (over: Partial<LocalCloudUsage> = {}): LocalCloudUsage => ({
  calls: {},
  sqs: { billableRequests: 0, emptyReceives: 0, messagesReceived: 0, messagesDeleted: 0 },
  dynamodb: { writeUnits: {}, writeUnitsByOperation: {}, readUnitsByOperation: {}, failedConditionalWrites: 0, itemsWritten: {} },
  lambda: {},
  ...over,
});

describe('bench cost model', () => {
  it("reproduces AWS-FACTS.md's $3.65 floor for items under 1 KB", () => {
    // Its inputs: a 512 MB api invoke of ~5 ms ($0.233/M with the request), a 1 GB worker batch
    // of ~28 ms per 10 jobs ($0.037/M), one ~500 B EMF document per batch ($0.025/M).
    const floor = floorCost({
      submittedItemBytes: 900,
      finalItemBytes: 1000,
      apiMsPerInvoke: 5,
      apiMemoryMb: 512,
      workerMsPerInvoke: 28,
      workerMemoryMb: 1024,
      emfBytesPerDocument: 500,
    });
    expect(floor.perMillion).toBeCloseTo(AWS_FACTS_FLOOR_PER_MILLION, 1);
    expect(floor.lines.find((l) => l.item === 'DynamoDB writes')?.perJob).toBe(3);
  });

  it('charges the finish at the final size: 2 + 2 + 3 WRU for a 1.4 KB job with a 1 KB result', () => {
    const floor = floorCost({ submittedItemBytes: 1400, finalItemBytes: 2500, apiMsPerInvoke: 5, apiMemoryMb: 512, workerMsPerInvoke: 28, workerMemoryMb: 1024, emfBytesPerDocument: 300 });
    expect(floor.lines.find((l) => l.item === 'DynamoDB writes')?.perJob).toBe(7);
  });

  it('prices what was measured, per million jobs, with durations overridden when given', () => {
    const measured = usage({
      sqs: { billableRequests: 1200, emptyReceives: 3, messagesReceived: 1000, messagesDeleted: 1000 },
      dynamodb: { writeUnits: { t: 7000, 't/index/i': 1000 }, writeUnitsByOperation: {}, readUnitsByOperation: { GetItem: 500 }, failedConditionalWrites: 0, itemsWritten: {} },
      lambda: { api: { invocations: 1000, durationMs: 99_000, billedMs: 99_000, memoryMb: 512 } },
    });
    const cost = estimateCost({ jobs: 1000, usage: measured, emfBytes: 0, emfDocuments: 0, billedMs: { api: 5000 } });
    const line = (prefix: string) => cost.lines.find((l) => l.item.startsWith(prefix));
    expect(line('API Gateway')?.perMillion).toBeCloseTo(1, 6);
    expect(line('SQS')?.perMillion).toBeCloseTo(0.48, 6);
    expect(line('DynamoDB writes')?.perMillion).toBeCloseTo(5, 6);
    expect(line('DynamoDB writes')?.item).toContain('1.00 of them index writes');
    expect(line('DynamoDB reads')?.perMillion).toBeCloseTo(0.0625, 6);
    // 1,000 invokes at 5 ms (not the loaded 99 ms) of 0.5 GB.
    expect(line('Lambda api')?.perMillion).toBeCloseTo(0.2 + 0.005 * 0.5 * 0.0000133334 * 1e6, 6);
  });

  it('refuses a run that was not metered', () => {
    expect(() => estimateCost({ jobs: 1, usage: usage({ dynamodb: null }), emfBytes: 0, emfDocuments: 0 })).toThrow(/metered/);
  });

  it('takes the difference of two snapshots', () => {
    const before = usage({ calls: { 'SQS.SendMessage': 2 }, lambda: { api: { invocations: 1, durationMs: 5, billedMs: 5, memoryMb: 512 } } });
    const after = usage({ calls: { 'SQS.SendMessage': 5, 'DynamoDB.PutItem': 1 }, lambda: { api: { invocations: 4, durationMs: 25, billedMs: 26, memoryMb: 512 } } });
    const diff = usageBetween(before, after);
    expect(diff.calls).toEqual({ 'SQS.SendMessage': 3, 'DynamoDB.PutItem': 1 });
    expect(diff.lambda['api']).toEqual({ invocations: 3, durationMs: 20, billedMs: 21, memoryMb: 512 });
  });

  it('splits the gap to the floor by line', () => {
    const floor = floorCost({ submittedItemBytes: 900, finalItemBytes: 1000, apiMsPerInvoke: 5, apiMemoryMb: 512, workerMsPerInvoke: 28, workerMemoryMb: 1024, emfBytesPerDocument: 500 });
    const gap = gapToFloor({ lines: [...floor.lines, { item: 'DynamoDB writes (index)', perJob: 1, unit: 'WRU', perMillion: 0.625 }], perMillion: 0 }, floor);
    expect(gap[0]?.category).toBe('DynamoDB writes');
    expect(gap[0]?.perMillion).toBeCloseTo(0.625, 9);
  });
});

describe('bench statistics', () => {
  it('uses nearest-rank percentiles: every figure was measured', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(summarize([12, 9, 10, 30])).toEqual({ samples: 4, p50: 10, p95: 30, p99: 30, mean: 15.25, min: 9, max: 30 });
  });
});
