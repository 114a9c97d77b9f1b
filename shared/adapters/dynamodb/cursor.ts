import { ValidationError } from '../../domain/errors.ts';

/**
 * Listing cursors are opaque to clients: base64url of { v, before }, where `before` is the sort
 * key (`<time>#<id>`) of the last item returned. The next page starts strictly below it in every
 * shard, so pages never overlap and a job created meanwhile never shifts a page.
 */
export function encodeCursor(before: string): string {
  return Buffer.from(JSON.stringify({ v: 1, before }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; before?: unknown };
    if (parsed.v === 1 && typeof parsed.before === 'string' && parsed.before.length > 0 && parsed.before.length < 512) {
      return parsed.before;
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor is not valid: pass the nextCursor of a previous page unchanged', { field: 'cursor' });
}
