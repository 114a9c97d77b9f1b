import { useEffect, useState } from 'preact/hooks';

/** Every view lives under /ui/ (API.md): /ui/, /ui/jobs, /ui/jobs/{id}, /ui/dlq, /ui/schedules, /ui/flows/{id}. */
export const BASE = '/ui';

export interface Location {
  /** The path below /ui, e.g. "/jobs/01K..." ("/" for the overview). */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : '/';
  return { path: path.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) };
}

const listeners = new Set<() => void>();
addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Goes to a dashboard path (relative to /ui), pushing a history entry unless `replace`. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = `${BASE}${to}`;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
  if (!options.replace) window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return current();
}

/** A dashboard link: a real <a href> (opens in a new tab, copyable), routed in place on a plain click. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.currentTarget ?? event.target) as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = anchor.getAttribute('href');
  if (!href || !href.startsWith(`${BASE}/`) && href !== BASE) return;
  event.preventDefault();
  navigate(href.slice(BASE.length) || '/');
}
