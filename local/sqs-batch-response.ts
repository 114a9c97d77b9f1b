/** What Lambda's event source mapping makes of a function's answer to an SQS batch. */
export type BatchOutcome =
  /** Delete every message except these (an empty set: the whole batch succeeded). */
  | { kind: 'partial'; failedMessageIds: ReadonlySet<string> }
  /** Delete nothing: every message comes back after its visibility timeout. */
  | { kind: 'complete-failure'; reason: string };

/**
 * Reads a function's SQS batch response by the ReportBatchItemFailures rules: a null or empty
 * response, or a null or empty `batchItemFailures`, is full success; a response that is not an
 * object, a `batchItemFailures` that is not a list, or any entry whose `itemIdentifier` is
 * missing, empty or not a message of the batch fails the whole batch.
 *
 * @example
 * interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m1', 'm2']);
 * // -> { kind: 'partial', failedMessageIds: Set { 'm2' } }
 */
export function interpretBatchResponse(response: unknown, messageIds: readonly string[]): BatchOutcome {
  if (response === undefined || response === null) return { kind: 'partial', failedMessageIds: new Set() };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'complete-failure', reason: `the response is not an object (${typeof response})` };
  }
  const failures = (response as Record<string, unknown>)['batchItemFailures'];
  if (failures === undefined || failures === null) return { kind: 'partial', failedMessageIds: new Set() };
  if (!Array.isArray(failures)) return { kind: 'complete-failure', reason: 'batchItemFailures is not a list' };
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const entry of failures as unknown[]) {
    const id = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['itemIdentifier'] : undefined;
    if (typeof id !== 'string' || id.length === 0) {
      return { kind: 'complete-failure', reason: `a batchItemFailures entry has no itemIdentifier: ${JSON.stringify(entry)}` };
    }
    if (!known.has(id)) return { kind: 'complete-failure', reason: `itemIdentifier ${id} is not a message of the batch` };
    failed.add(id);
  }
  return { kind: 'partial', failedMessageIds: failed };
}
