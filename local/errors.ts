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
 * The Lambda handlers read their configuration once, when their module loads. A second local
 * cloud in the same process with other endpoints would silently keep talking to the first
 * one's; refusing is kinder than a cloud that half works.
 */
export class HandlersAlreadyLoadedError extends Error {
  override readonly name = 'HandlersAlreadyLoadedError';
  readonly code = 'HANDLERS_ALREADY_LOADED';
  constructor(readonly differing: string[]) {
    super(
      `the Lambda handlers were already loaded in this process with other settings (${differing.join(', ')}); ` +
        'run one local cloud per process, or pass handlers in',
    );
  }
}

/** A handler module does not export a `handler` function. */
export class HandlerModuleError extends Error {
  override readonly name = 'HandlerModuleError';
  readonly code = 'HANDLER_MODULE_INVALID';
  constructor(readonly entry: string) {
    super(`${entry} does not export a function named "handler"`);
  }
}
