import { SqsRequestError, missingParameter } from './errors.ts';
import type { RequestFields } from './request-fields.ts';

/** SQS batch limits: 1 to 10 entries, each with a distinct Id of 1 to 80 letters, digits, '-' or '_'. */
export const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export interface BatchEntry {
  id: string;
  fields: RequestFields;
}

/** A batch entry SQS refused while accepting the rest (the `Failed` list of a batch answer). */
export interface FailedBatchEntry {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/**
 * The request-wide checks every batch operation makes before looking at any entry; a failure
 * here fails the whole request, as in SQS.
 */
export function readBatchEntries(fields: RequestFields, entryKind: string): BatchEntry[] {
  const entries = fields.optionalObjectList('Entries');
  if (entries === undefined || entries.length === 0) {
    throw new SqsRequestError('EmptyBatchRequest', `There should be at least one ${entryKind} in the request.`);
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsRequestError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    const id = entry.optionalString('Id');
    if (id === undefined) throw missingParameter('Id');
    if (!ENTRY_ID_PATTERN.test(id)) {
      throw new SqsRequestError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new SqsRequestError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
    return { id, fields: entry };
  });
}

/** Turns an entry's refusal into its `Failed` item; anything but a refusal is a bug and propagates. */
export function failedEntry(id: string, error: unknown): FailedBatchEntry {
  if (!(error instanceof SqsRequestError)) throw error;
  return { Id: id, SenderFault: error.senderFault, Code: error.code, Message: error.message };
}
