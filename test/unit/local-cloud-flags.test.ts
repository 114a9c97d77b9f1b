import { describe, expect, it } from 'vitest';
import { devCommand } from '../../cli/commands/dev.ts';
import { USAGE, parseCliOptions } from '../../local/cli-options.ts';
import { LOCAL_CLOUD_FLAGS } from '../../local/local-cloud-flags.ts';

const SAMPLE: Record<string, string> = { '<n>': '0', '<path>': '/tmp/skyforge-flags', '<module>': 'src/jobs.ts', '<rate>': '0.05', '<queue=n,...>': 'normal=50,low=5', '<url>': 'http://127.0.0.1:4318' };
const DEFAULTS = { dataDir: '/tmp/default', demoJobs: false };

describe('the local cloud flags, shared by npm start and skyforge dev', () => {
  it.each(Object.entries(LOCAL_CLOUD_FLAGS))('npm start takes --%s', (name, flag) => {
    const argv = 'value' in flag ? [`--${name}`, SAMPLE[flag.value] as string] : [`--${name}`];
    expect(() => parseCliOptions(argv, {}, DEFAULTS)).not.toThrow();
  });

  it('lists every flag npm start documents, so skyforge dev takes it too', () => {
    const documented = [...USAGE.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]).filter((name) => name !== 'help');
    expect([...new Set(documented)].sort()).toEqual(Object.keys(LOCAL_CLOUD_FLAGS).sort());
    expect(Object.keys(devCommand.options).sort()).toEqual(Object.keys(LOCAL_CLOUD_FLAGS).sort());
  });

  it('reads them as skyforge dev passes them on', () => {
    const options = parseCliOptions(['--jobs', 'src/jobs.ts', '--port', '0', '--edge-port', '0', '--memory', '--demo-jobs'], {}, DEFAULTS);
    expect(options).toMatchObject({ jobs: 'src/jobs.ts', port: 0, edgePort: 0, memory: true, demoJobs: true, dataDir: '/tmp/default' });
    expect(parseCliOptions([], {}, DEFAULTS).demoJobs).toBe(false);
  });

  it.each([
    { argv: ['--queue-rate', 'normal=50,low=5'], expected: { normal: 50, low: 5 } },
    { argv: ['--queue-rate=critical=1', '--queue-rate', 'high=2'], expected: { critical: 1, high: 2 } },
  ])('--queue-rate $argv', ({ argv, expected }) => {
    expect(parseCliOptions(argv, {}, DEFAULTS).queueRateLimits).toEqual(expected);
  });

  it.each(['normal', 'urgent=5', 'normal=0', 'normal=1.5'])('--queue-rate %s is a usage error', (raw) => {
    expect(() => parseCliOptions(['--queue-rate', raw], {}, DEFAULTS)).toThrow(/queue=jobs-per-second/);
  });
});
