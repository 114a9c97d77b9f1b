/**
 * `npm run bench:local [-- --throughput-jobs N --latency-samples N --runs N]`: only the local
 * cloud's speed figures of `npm run bench` (unloaded submit -> SUCCEEDED latency, end-to-end
 * jobs/s through /jobs/batch), with the same code, for before/after comparisons of the local
 * cloud in a minute instead of the whole bench's ten. Prints one line per run plus the CPU the
 * process used per job; writes nothing.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BenchCloud, runLatency, runThroughput } from './skyforge.ts';

const PAYLOAD_BYTES = 1024;

/**
 * CPU ms the main thread has used (Linux: /proc/self/task/<pid>/stat, 10 ms ticks), the figure
 * that stays comparable on a busy machine: the main thread is the local cloud's bottleneck.
 * Null elsewhere.
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'throughput-jobs': { type: 'string', default: '5000' },
      'latency-samples': { type: 'string', default: '200' },
      runs: { type: 'string', default: '1' },
      'no-iam': { type: 'boolean', default: false },
    },
  });
  const jobs = Number(values['throughput-jobs']);
  const samples = Number(values['latency-samples']);
  const bench = await BenchCloud.start({ iam: !values['no-iam'] });
  try {
    for (let run = 1; run <= Number(values.runs); run += 1) {
      const { latency } = await runLatency(bench, { samples, payloadBytes: PAYLOAD_BYTES });
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const main0 = mainThreadCpuMs();
      const calls0 = bench.usage().calls;
      const throughput = await runThroughput(bench, { jobs, payloadBytes: PAYLOAD_BYTES });
      const cpu = process.cpuUsage(cpu0);
      const mainBusy = performance.eventLoopUtilization(elu0).utilization;
      const main1 = mainThreadCpuMs();
      const calls1 = bench.usage().calls;
      const callsPerJob = Object.entries(calls1).reduce((sum, [op, n]) => sum + n - (calls0[op] ?? 0), 0) / jobs;
      const mainMsPerJob = main0 === null || main1 === null ? '?' : ((main1 - main0) / jobs).toFixed(2);
      const cpuMsPerJob = (cpu.user + cpu.system) / 1000 / jobs;
      process.stdout.write(
        `run ${run}: latency p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms (${latency.samples} jobs); ` +
          `throughput ${Math.round(throughput.jobsPerSecond)} jobs/s (${jobs} jobs in ${throughput.seconds.toFixed(1)} s, ` +
          `${throughput.succeeded} succeeded); ${callsPerJob.toFixed(2)} AWS calls/job; CPU of this process ${cpuMsPerJob.toFixed(2)} ms/job, main thread ${mainMsPerJob} ms/job, busy ${Math.round(mainBusy * 100)}%\n`,
      );
    }
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
