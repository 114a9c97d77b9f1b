/**
 * `npm run capacity -- --jobs-per-second N [--single] [--priority normal] [--job-ms 100]
 *   [--worker-concurrency 30] [--api-rate 500] [--lambda-concurrency 1000]`:
 * the sustained jobs/s of a deployment, the first limit that binds, what lifts it, and the bill
 * per month (bench/capacity/model.ts).
 */
import { parseArgs } from 'node:util';
import { capacity, DEFAULT_INPUT, isPriority, type CapacityReport } from './model.ts';

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function render(report: CapacityReport): string {
  const { input } = report;
  const lines = [
    `${fmt(input.jobsPerSecond)} jobs/s, ${input.submit === 'single' ? 'one POST /jobs per job' : 'POST /jobs/batch of 100'}, ${input.priority} queue, ${input.jobMs} ms per job`,
    `sustained: ${fmt(report.sustainedJobsPerSecond)} jobs/s (${report.limits[0]?.name ?? '-'})`,
    report.binding ? `first limit that binds: ${report.binding.name} at ${fmt(report.binding.jobsPerSecond)} jobs/s; lift: ${report.binding.lift}` : 'fits: no limit binds at this load',
    '',
    'limit                                                       jobs/s',
    ...report.limits.map((l) => `${l.name.padEnd(60)}${fmt(l.jobsPerSecond).padStart(10)}${l.jobsPerSecond < input.jobsPerSecond ? `  <- binds; lift: ${l.lift}` : ''}`),
    '',
    `cost per month (30 days) at ${fmt(input.jobsPerSecond)} jobs/s: $${fmt(report.monthly.total)}`,
    ...Object.entries(report.monthly.lines).map(([line, dollars]) => `  ${line.padEnd(20)} $${fmt(dollars)}`),
  ];
  return lines.join('\n');
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      'jobs-per-second': { type: 'string' },
      single: { type: 'boolean' },
      priority: { type: 'string' },
      'job-ms': { type: 'string' },
      'worker-concurrency': { type: 'string' },
      'api-rate': { type: 'string' },
      'lambda-concurrency': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const number = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return n;
  };
  const priority = values.priority ?? DEFAULT_INPUT.priority;
  if (!isPriority(priority)) throw new Error(`--priority must be critical, high, normal or low, got ${priority}`);
  if (values['jobs-per-second'] === undefined) throw new Error('--jobs-per-second N is required');
  const report = capacity({
    ...DEFAULT_INPUT,
    jobsPerSecond: number('jobs-per-second', values['jobs-per-second'], 0),
    submit: values.single ? 'single' : 'batch',
    priority,
    jobMs: number('job-ms', values['job-ms'], DEFAULT_INPUT.jobMs),
    settings: {
      ...DEFAULT_INPUT.settings,
      workerTotalMaximumConcurrency: number('worker-concurrency', values['worker-concurrency'], DEFAULT_INPUT.settings.workerTotalMaximumConcurrency),
      apiRateLimit: number('api-rate', values['api-rate'], DEFAULT_INPUT.settings.apiRateLimit),
      lambdaAccountConcurrency: number('lambda-concurrency', values['lambda-concurrency'], DEFAULT_INPUT.settings.lambdaAccountConcurrency),
    },
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : render(report));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`capacity: ${(error as Error).message}`);
    process.exit(2);
  }
}
