/**
 * A command line the CLI cannot run: an unknown command or flag, a missing argument, a value
 * that does not parse (bad JSON, a duration, a priority). main prints the message and a hint
 * to `--help`, and exits 2.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'USAGE';
  /** The command whose help the hint points to, e.g. 'dlq replay'; undefined for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

