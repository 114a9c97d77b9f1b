import type { Readable } from 'node:stream';
import type { SkyForgeClient, UntypedJobs } from './client/index.ts';
import type { Connection } from './config.ts';
import type { Output } from './output.ts';

/** The client as the CLI uses it: job types and payloads are only known at run time. */
export type CliClient = SkyForgeClient<UntypedJobs>;

/** One flag of a command; the help text is generated from these. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of the value in the help, e.g. `<json>`. */
  value?: string;
  description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed command line of one command. */
export class Args {
  readonly positionals: readonly string[];
  private readonly values: Readonly<Record<string, string | boolean | undefined>>;

  constructor(values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>, positionals: readonly string[]) {
    // No option is declared `multiple`, so every value is a single string or boolean.
    this.values = values as Readonly<Record<string, string | boolean | undefined>>;
    this.positionals = positionals;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  positional(index: number): string | undefined {
    return this.positionals[index];
  }
}

/** What a command gets to do its work. */
export interface CommandContext {
  readonly args: Args;
  readonly out: Output;
  /** `--json`: write exactly one JSON document to stdout (watch without --once: one per line). */
  readonly json: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Where `enqueue --file -` reads (touched only then). */
  stdin(): Readable;
  now(): number;
  /** The endpoint, resolved on first use (so `--help` and usage errors need none). */
  connection(): Connection;
  /** The API client, built on first use. */
  client(): CliClient;
  /** Fires on Ctrl-C, for commands that end cleanly on it (watch); listens only once asked. */
  interrupted(): AbortSignal;
}

export interface Command {
  /** The words that select it: 'enqueue', 'dlq replay'. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Usage lines after `skyforge `, e.g. `enqueue <type> [payload-json] [options]`. */
  readonly usage: readonly string[];
  /** Paragraphs shown under the usage in `--help`. */
  readonly description?: string;
  readonly options: OptionSpecs;
  /** How many positional arguments it takes. */
  readonly positionals: { min: number; max: number };
  readonly examples?: readonly string[];
  /** Runs the command and answers the exit code (EXIT). Errors it throws are reported by main. */
  run(ctx: CommandContext): Promise<number>;
}

/** Identity, for type checking a command object in place. */
export function defineCommand(command: Command): Command {
  return command;
}

/** The `--help` text of a command. */
export function commandHelp(command: Command, globalOptions: OptionSpecs): string {
  const lines = ['Usage:', ...command.usage.map((u) => `  skyforge ${u}`), '', command.summary];
  if (command.description) lines.push('', command.description);
  if (Object.keys(command.options).length) lines.push('', 'Options:', ...optionLines(command.options));
  lines.push('', 'Global options:', ...optionLines(globalOptions));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** `  --priority <p>   description`, aligned. */
export function optionLines(options: OptionSpecs): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return entries.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}
