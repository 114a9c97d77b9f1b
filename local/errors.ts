/**
 * Errors of the local cloud. Each sets a literal `name` and a `code` (house style: bundlers
 * mangle class names, and callers branch on `code`, never on message text).
 */

/** A port the local cloud wants to listen on is taken; `npm start` turns it into one line. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly code = 'PORT_IN_USE';
  constructor(
    readonly port: number,
    readonly what: string,
  ) {
    super(`port ${port} (${what}) is already in use`);
  }
}

/**
 * The persisted table was made from other definitions than shared/config/definitions.ts.
 * dynalite cannot add or change indexes of an existing table, so the only way forward is a
 * fresh data folder; the message says so.
 */
export class TableSchemaMismatchError extends Error {
  override readonly name = 'TableSchemaMismatchError';
  readonly code = 'TABLE_SCHEMA_MISMATCH';
  constructor(
    readonly tableName: string,
    readonly problems: string[],
  ) {
    super(
      `table ${tableName} in the data folder does not match shared/config/definitions.ts ` +
        `(${problems.join('; ')}); delete the data folder or start with --memory`,
    );
  }
}

/** A resource did not become usable in time (a table stuck in CREATING, say). */
export class ResourceNotReadyError extends Error {
  override readonly name = 'ResourceNotReadyError';
  readonly code = 'RESOURCE_NOT_READY';
  constructor(
    readonly resource: string,
    readonly waitedMs: number,
  ) {
    super(`${resource} was not ready after ${waitedMs} ms`);
  }
}

/**
 * A job registry module (`skyforge dev --jobs`) that does not build or does not export `jobs`:
 * the message names the module and what is wrong with it, so the terminal can say why a reload
 * kept the old code.
 */
export class JobRegistryModuleError extends Error {
  override readonly name = 'JobRegistryModuleError';
  readonly code = 'JOB_REGISTRY_MODULE_INVALID';
  constructor(
    readonly entry: string,
    readonly problem: string,
  ) {
    super(`${entry}: ${problem}`);
  }
}
