import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface FileWatcher {
  /** Watches these files from now on instead of the previous set. */
  update(files: readonly string[]): void;
  close(): void;
}

/**
 * Calls `onChange` with the files that changed, once per burst of changes (`debounceMs`).
 * Watches the files' folders rather than the files: editors that save by writing a new file
 * and renaming it over the old one would otherwise end the watch on the first save.
 */
export function watchFiles(files: readonly string[], onChange: (changed: string[]) => void, debounceMs = 50): FileWatcher {
  let watched = new Set<string>();
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    timer = undefined;
    const changed = [...pending];
    pending.clear();
    if (changed.length > 0) onChange(changed);
  };

  const update = (next: readonly string[]): void => {
    watched = new Set(next);
    const dirs = new Set(next.map((file) => dirname(file)));
    for (const [dir, watcher] of watchers) {
      if (dirs.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      const watcher = watch(dir, (_event, name) => {
        const file = name ? join(dir, name.toString()) : undefined;
        if (file === undefined || !watched.has(file)) return;
        pending.add(file);
        if (timer === undefined) timer = setTimeout(flush, debounceMs);
      });
      // A folder that disappears (a branch switch) ends its watch; the next reload adds it again.
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(dir);
      });
      watchers.set(dir, watcher);
    }
  };

  update(files);
  return {
    update,
    close: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** `src/jobs.ts` for a changed file, for log lines. */
export function shortName(file: string, cwd: string): string {
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : basename(file);
}
