import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { SkyForgeClient, type UntypedJobs } from './client/index.ts';
import { Args, commandHelp, optionLines, type CliClient, type Command, type CommandContext, type OptionSpecs } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { CONFIG_ENV, DEFAULT_OUTPUTS_FILE, DEFAULT_URL, resolveConnection, type Connection } from './config.ts';
import { CliUsageError } from './errors.ts';
import { describeFailure, EXIT } from './exit-codes.ts';
import { Output, type CliStream } from './output.ts';

/** Where `run` reads and writes; tests pass captures, `main` the process's own. */
export interface RunOptions {
  stdout: CliStream;
  stderr: CliStream;
  /** Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The client's fetch (default the global one). */
  fetch?: typeof fetch;
  /** Relative paths (--file, cdk-outputs.json) resolve against it. Default process.cwd(). */
  cwd?: string;
  /** `enqueue --file -` reads it. Default process.stdin. */
  stdin?: Readable;
  /** Stands in for Ctrl-C (watch ends cleanly when it fires). Default: SIGINT, listened to only while asked. */
  signal?: AbortSignal;
  now?: () => number;
}

export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string', value: '<url>', description: `API base URL (env ${CONFIG_ENV.url}; default ${DEFAULT_URL}, the local cloud)` },
  stack: { type: 'string', value: '<name>', description: `use the ApiUrl output of this stack in ${DEFAULT_OUTPUTS_FILE} (env ${CONFIG_ENV.stack}); implies --sigv4` },
  'outputs-file': { type: 'string', value: '<path>', description: `the file \`cdk deploy --outputs-file\` wrote (env ${CONFIG_ENV.outputsFile}; default ${DEFAULT_OUTPUTS_FILE})` },
  token: { type: 'string', value: '<token>', description: `bearer token (env ${CONFIG_ENV.token})` },
  sigv4: { type: 'boolean', description: `sign requests with AWS SigV4 from the AWS credential chain (env ${CONFIG_ENV.sigv4}=1)` },
  region: { type: 'string', value: '<region>', description: "SigV4 Region (default: the API host's, else AWS_REGION)" },
  json: { type: 'boolean', description: 'machine output: one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'help for the command' },
};

/** Commands for building an app on SkyForge rather than operating a queue. */
const DEVELOP = ['dev', 'init'];

const SECTIONS: readonly { title: string; matches: (c: Command) => boolean }[] = [
  { title: 'Jobs', matches: (c) => !c.name.includes(' ') && !['stats', 'watch', 'ui', ...DEVELOP].includes(c.name) },
  { title: 'Dead letters', matches: (c) => c.name.startsWith('dlq ') },
  { title: 'Schedules', matches: (c) => c.name.startsWith('schedules ') },
  { title: 'Flows', matches: (c) => c.name.startsWith('flows ') },
  { title: 'Operations', matches: (c) => ['stats', 'watch', 'ui'].includes(c.name) },
  { title: 'Develop', matches: (c) => DEVELOP.includes(c.name) },
];

/** First words that only group commands (`dlq list`, `schedules create`). */
const GROUPS = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0] as string));

export function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const sections = SECTIONS.flatMap((s) => ['', `${s.title}:`, ...COMMANDS.filter(s.matches).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)]);
  return [
    'skyforge: operate a SkyForge job queue: submit, inspect, cancel and replay jobs, manage schedules and flows, watch queues;',
    'run the local cloud with your own job types (dev), or start a new app (init).',
    '',
    'Usage: skyforge <command> [arguments] [options]',
    ...sections,
    '',
    'Global options (anywhere on the line):',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Endpoint: --url, or --stack <name>; else SKYFORGE_URL, or SKYFORGE_STACK; else http://localhost:3000 (npm start).',
    '  --stack reads the stack outputs `npx cdk deploy --outputs-file cdk-outputs.json` wrote; such an API',
    '  is IAM-protected, so requests are signed with SigV4 unless --token is given.',
    'Output: tables for people, colours only on a terminal and never with NO_COLOR. --json prints the API\'s',
    '  document (a job, a schedule, a flow, {items, nextCursor}, the stats); enqueue --file and dlq replay --all a summary.',
    '  Progress and hints go to stderr; errors are one stderr line: skyforge: <message> (CODE, requestId <id>).',
    '',
    'Exit codes:',
    '  0  done; a waited-for job or flow SUCCEEDED',
    '  1  a waited-for job ended DEAD or CANCELLED, or a flow FAILED or CANCELLED (wait, flows wait, --wait), a wait',
    '     timed out, no such job, schedule or flow, or lines of enqueue --file were refused',
    '  2  usage: unknown command or flag, a missing argument, bad JSON or value, no usable endpoint',
    '  3  any other API error (validation, conflict, auth, server) or no answer (network)',
    '',
    'Run `skyforge <command> --help` for its options.',
  ].join('\n');
}

function groupHelp(group: string): string {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  const width = Math.max(...members.map((c) => c.name.length));
  return [`Usage: skyforge ${group} <command>`, '', ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', `Run \`skyforge ${group} <command> --help\` for its options.`].join('\n');
}

/**
 * The words of the command and the rest of the line: the command is the first argument that is
 * neither a flag nor a global flag's value (`skyforge --url http://x list` works), then for a
 * group the next such word.
 */
function splitCommand(argv: readonly string[]): { words: string[]; rest: string[] } {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short) takesValue.add(`-${spec.short}`);
  }
  const words: string[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < argv.length && words.length < 2; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-') && arg.length > 1) {
      if (takesValue.has(arg)) i += 1;
      continue;
    }
    if (words.length === 1 && !GROUPS.has(words[0] as string)) break;
    words.push(arg);
    taken.add(i);
  }
  return { words, rest: argv.filter((_, i) => !taken.has(i)) };
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Runs one command line and answers its exit code (EXIT); never throws and never exits the
 * process, so tests run commands in-process and read what they wrote.
 *
 * @example
 * const code = await run(['stats', '--json', '--url', cloud.apiUrl], { stdout, stderr, env: {} });
 */
export async function run(argv: readonly string[], options: RunOptions): Promise<number> {
  const env = options.env ?? process.env;
  const out = new Output(options.stdout, options.stderr, env);
  let command: Command | undefined;
  const cleanups: (() => void)[] = [];
  try {
    const { words, rest } = splitCommand(argv);
    const help = wantsHelp(argv);
    if (words[0] === 'help') {
      return printHelpFor(out, rest.filter((a) => !a.startsWith('-')).join(' '));
    }
    if (words.length === 0) {
      if (help) return printHelpFor(out, '');
      // Global flags alone, or nothing: say what is possible.
      const stray = rest.find((a) => a.startsWith('-'));
      if (stray && !(stray.replace(/^--?/, '').split('=')[0] as string in GLOBAL_OPTIONS)) throw new CliUsageError(`unknown option ${stray}`);
      options.stderr.write(`${topHelp()}\n`);
      return EXIT.USAGE;
    }
    const name = words.join(' ');
    command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const group = words[0] as string;
      if (GROUPS.has(group)) {
        if (words.length === 1) {
          if (help) return printHelpFor(out, group);
          options.stderr.write(`${groupHelp(group)}\n`);
          return EXIT.USAGE;
        }
        throw new CliUsageError(`unknown command ${name}`, group);
      }
      throw new CliUsageError(`unknown command ${name}`);
    }
    if (help) {
      out.line(commandHelp(command, GLOBAL_OPTIONS));
      return EXIT.OK;
    }

    const parsed = parseCommandLine(command, rest);
    const connection = lazy(() =>
      resolveConnection(
        {
          url: parsed.values.url as string | undefined,
          stack: parsed.values.stack as string | undefined,
          outputsFile: parsed.values['outputs-file'] as string | undefined,
          token: parsed.values.token as string | undefined,
          sigv4: parsed.values.sigv4 as boolean | undefined,
          region: parsed.values.region as string | undefined,
        },
        env,
        options.cwd ?? process.cwd(),
      ),
    );
    const client = lazy(() => buildClient(connection(), options.fetch));
    const ctx: CommandContext = {
      args: new Args(parsed.values, parsed.positionals),
      out,
      json: parsed.values.json === true,
      env,
      cwd: options.cwd ?? process.cwd(),
      stdin: () => options.stdin ?? process.stdin,
      now: options.now ?? Date.now,
      connection,
      client,
      interrupted: () => {
        if (options.signal) return options.signal;
        const controller = new AbortController();
        const onSigint = (): void => controller.abort();
        process.once('SIGINT', onSigint);
        cleanups.push(() => process.off('SIGINT', onSigint));
        return controller.signal;
      },
    };
    return await command.run(ctx);
  } catch (error) {
    const failure = describeFailure(error);
    const topic = (error instanceof CliUsageError ? error.command : undefined) ?? command?.name;
    const help = failure.exitCode === EXIT.USAGE ? [`see skyforge ${topic ? `${topic} ` : ''}--help`] : [];
    out.error(failure.message, [...failure.tags, ...help]);
    return failure.exitCode;
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

function printHelpFor(out: Output, target: string): number {
  if (target === '') {
    out.line(topHelp());
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === target);
  if (command) {
    out.line(commandHelp(command, GLOBAL_OPTIONS));
    return EXIT.OK;
  }
  if (GROUPS.has(target)) {
    out.line(groupHelp(target));
    return EXIT.OK;
  }
  throw new CliUsageError(`unknown command ${target}`);
}

function parseCommandLine(command: Command, rest: readonly string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages are good ("Unknown option '--x'"); drop its advice about '--'.
    throw new CliUsageError((error as Error).message.split('. To specify a positional')[0] as string, command.name);
  }
  const { min, max } = command.positionals;
  const count = parsed.positionals.length;
  if (count < min) throw new CliUsageError(`${command.name} needs ${command.usage[0]?.match(/<[^>]+>/)?.[0] ?? 'an argument'}`, command.name);
  if (count > max) throw new CliUsageError(`unexpected argument ${parsed.positionals[max]}${max === 0 ? ` (${command.name} takes none)` : ''}`, command.name);
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function buildClient(connection: Connection, fetchImpl: typeof fetch | undefined): CliClient {
  return new SkyForgeClient<UntypedJobs>({
    baseUrl: connection.baseUrl,
    ...(connection.token !== undefined ? { token: connection.token } : {}),
    ...(connection.sigv4 ? { sigv4: connection.sigv4 } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    userAgent: `skyforge-cli/${version()} node/${process.versions.node}`,
  });
}

function version(): string {
  // ../package.json from the sources (cli/main.ts), ../../package.json from the package (dist/cli/main.js).
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'skyforge') return manifest.version ?? '0';
    } catch {
      // not there: the other layout
    }
  }
  return '0';
}

function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * The process entry (cli/bin.js): runs `process.argv`, lets stdout drain, and sets the exit code.
 * The exit is explicit so that kept-alive sockets never hold a finished command open.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  // `skyforge list --all | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.OK);
    throw error;
  });
  const code = await run(argv, { stdout: process.stdout, stderr: process.stderr });
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}
