import { describe, expect, it } from 'vitest';
import { render } from '../../bench/capacity/main.ts';
import { capacity, DEFAULT_INPUT, type CapacityInput } from '../../bench/capacity/model.ts';

/*
 * The capacity model against cases computed by hand. Defaults: worker total MaximumConcurrency 30
 * split 8:4:2:1 -> critical 16, high 8, normal 4, low 2; batches of 10; a batch takes the job's
 * 100 ms + 30 ms overhead = 0.13 s; API stage 500 requests/s; 1,000 Lambda concurrency.
 */
const at = (jobsPerSecond: number, over: Partial<CapacityInput> = {}, settings: Partial<CapacityInput['settings']> = {}) =>
  capacity({ ...DEFAULT_INPUT, ...over, jobsPerSecond, settings: { ...DEFAULT_INPUT.settings, ...settings } });

describe('capacity model', () => {
  it.each([
    // [case, input, sustained jobs/s, binding limit (prefix) or null]
    ['100 jobs/s by batch fits: normal queue 4 x 10 / 0.13 s', at(100), 4 * 10 / 0.13, null],
    ['1,000 jobs/s by batch: the normal queue\'s 4 batches bind', at(1000), 4 * 10 / 0.13, 'worker MaximumConcurrency of the normal queue'],
    ['critical queue: 16 batches bind at 2,000 jobs/s', at(2000, { priority: 'critical' }), 16 * 10 / 0.13, 'worker MaximumConcurrency of the critical queue'],
    ['500 ms jobs on the normal queue: 4 x 10 / 0.53 s < 100', at(100, { jobMs: 500 }), 4 * 10 / 0.53, 'worker MaximumConcurrency'],
    ['10,000 jobs/s by batch with total concurrency 1,000 (normal gets round(1000 x 2/15) = 133)', at(10_000, {}, { workerTotalMaximumConcurrency: 1000 }), 133 * 10 / 0.13, null],
  ] as const)('%s', (_name, report, sustained, binding) => {
    expect(report.sustainedJobsPerSecond).toBeCloseTo(sustained, 6);
    if (binding === null) expect(report.binding).toBeNull();
    else expect(report.binding?.name.startsWith(binding)).toBe(true);
  });

  it('single submits: the API stage throttle (500 requests/s) binds once the worker is lifted', () => {
    const report = at(2000, { submit: 'single' }, { workerTotalMaximumConcurrency: 1000 });
    expect(report.binding?.name).toBe('API stage throttle (rateLimit)');
    expect(report.binding?.jobsPerSecond).toBe(500);
    expect(report.binding?.lift).toBe('api.throttle.rateLimit >= 2000 requests/s, or submit through /jobs/batch (100 jobs per request)');
  });

  it('says how many batches the queue needs, ceil(1,000 x 0.13 / 10) = 13, and the smallest total that gives them: round(94 x 2/15) = round(12.53) = 13', () => {
    expect(at(1000).binding?.lift).toBe('worker.totalMaximumConcurrency >= 94 (the normal queue gets 13 concurrent batches)');
  });

  it('counter items: 16 shards x 1,000 WCU/s over 1.37 counter writes per single submit (1 by the api, 2 per worker batch of 5.4)', () => {
    const limit = at(1, { submit: 'single' }).limits.find((l) => l.name.startsWith('DynamoDB counter items'));
    expect(limit?.jobsPerSecond).toBeCloseTo(16_000 / 1.37, 6);
  });

  it('Lambda concurrency: 1,000 / (api 1.19 ms per job by batch + 0.13 s / 10 per job in the worker)', () => {
    const limit = at(1).limits.find((l) => l.name === 'Lambda account concurrency');
    expect(limit?.jobsPerSecond).toBeCloseTo(1000 / (0.00119 + 0.013), 6);
  });

  it('prices a month from the bench\'s dollars per million: 100 jobs/s by batch = 259.2 M jobs x $5.432', () => {
    const report = at(100);
    expect(report.monthly.total).toBeCloseTo(259.2 * (0.01 + 0.015 + 0.095 + 0.16 + 5.131 + 0.021), 6);
    expect(report.monthly.lines['DynamoDB writes']).toBeCloseTo(259.2 * 5.131, 6);
  });

  it('renders the table with the binding limit and its lift', () => {
    const text = render(at(1000));
    expect(text).toContain('first limit that binds: worker MaximumConcurrency of the normal queue (4 batches) at 308 jobs/s');
    expect(text).toMatch(/cost per month \(30 days\) at 1,000 jobs\/s: \$14,080/);
  });
});
