import type { Page } from './client/index.ts';
import type { Output } from './output.ts';

/** The API answers at most this many items per page. */
export const MAX_PAGE_SIZE = 200;

/**
 * Reads pages until `max` items or the last page, asking each page for just what is still
 * missing, so the returned `nextCursor` continues exactly after the last item returned.
 * Counts on a stderr progress line when it takes more than one page.
 */
export async function collectPages<T>(
  fetchPage: (query: { limit: number; cursor?: string }) => Promise<Page<T>>,
  options: { max: number; cursor?: string | undefined; out: Output; label: string },
): Promise<Page<T>> {
  const items: T[] = [];
  let cursor = options.cursor;
  const progress = options.out.progress(options.label);
  try {
    do {
      const limit = Math.min(MAX_PAGE_SIZE, options.max - items.length);
      const page = await fetchPage({ limit, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      if (cursor) progress.update(items.length);
    } while (cursor && items.length < options.max);
  } finally {
    progress.finish();
  }
  return { items, nextCursor: cursor ?? null };
}
