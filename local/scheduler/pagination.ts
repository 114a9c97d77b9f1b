import { validationError } from './errors.ts';
import { MAX_RESULTS, NEXT_TOKEN_RULE } from './model-constraints.ts';
import { checkString } from './request-fields.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of a list sorted by `key`. The NextToken names the last key returned, so a page
 * stays correct when items are created or deleted between calls (nothing is skipped or
 * repeated, except items added before the position already passed). Without MaxResults a page
 * holds the most the model allows (100).
 */
export function paginate<T>(sorted: readonly T[], key: (item: T) => string, query: URLSearchParams): Page<T> {
  const maxResults = readMaxResults(query.get('MaxResults'));
  const after = readNextToken(query.get('NextToken'));
  const start = after === undefined ? 0 : sorted.findIndex((item) => key(item) > after);
  const remaining = start < 0 ? [] : sorted.slice(start);
  const items = remaining.slice(0, maxResults);
  const last = items.at(-1);
  return remaining.length > maxResults && last !== undefined ? { items, nextToken: encodeToken(key(last)) } : { items };
}

function readMaxResults(text: string | null): number {
  if (text === null) return MAX_RESULTS.max;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MAX_RESULTS.min || value > MAX_RESULTS.max) {
    throw validationError(
      `1 validation error detected: Value '${text}' at 'maxResults' failed to satisfy constraint: Member must have value between ${MAX_RESULTS.min} and ${MAX_RESULTS.max}`,
    );
  }
  return value;
}

function readNextToken(text: string | null): string | undefined {
  if (text === null) return undefined;
  checkString('nextToken', text, NEXT_TOKEN_RULE);
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Falls through to the refusal below.
  }
  throw validationError('The NextToken is not valid.');
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}
