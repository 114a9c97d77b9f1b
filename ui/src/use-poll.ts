import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** Views refresh about every 3 s (the issue), and not at all while the tab is hidden. */
export const REFRESH_MS = 3000;

export interface Poll<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again now (after an action). */
  refresh: () => Promise<void>;
}

/**
 * Loads `load()` now, then every REFRESH_MS while the document is visible; a hidden tab makes no
 * calls, and becoming visible again loads at once. Calls never overlap; a change of `key` starts
 * over (and drops answers to the old key).
 */
export function usePoll<T>(load: () => Promise<T>, key: string, intervalMs = REFRESH_MS): Poll<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error; loading: boolean }>({ key, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyRef = useRef(key);
  keyRef.current = key;
  const inFlight = useRef<Promise<void> | null>(null);

  const run = useCallback(async (): Promise<void> => {
    if (inFlight.current) return inFlight.current;
    const forKey = keyRef.current;
    const call = (async () => {
      try {
        const data = await loadRef.current();
        if (keyRef.current === forKey) setState({ key: forKey, data, loading: false });
      } catch (error) {
        if (keyRef.current === forKey) setState((s) => ({ key: forKey, data: s.key === forKey ? s.data : undefined, error: error as Error, loading: false }));
      }
    })();
    inFlight.current = call;
    try {
      await call;
    } finally {
      inFlight.current = null;
    }
  }, []);

  useEffect(() => {
    setState((s) => (s.key === key ? s : { key, loading: true }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const schedule = () => {
      clearTimeout(timer);
      if (stopped || document.hidden) return;
      timer = setTimeout(tick, intervalMs);
    };
    const tick = () => {
      if (document.hidden) return;
      void run().finally(schedule);
    };
    const onVisibility = () => {
      if (document.hidden) clearTimeout(timer);
      else tick();
    };
    inFlight.current = null;
    tick();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, intervalMs, run]);

  const fresh = state.key === key;
  return { data: fresh ? state.data : undefined, error: fresh ? state.error : undefined, loading: !fresh || state.loading, refresh: run };
}
