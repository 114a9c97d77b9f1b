import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ensureDashboardAssets } from './build.ts';

/** What the dashboard learns from GET /ui/config.json. */
export interface DashboardConfig {
  readOnly: boolean;
  /** Shown in the header: where the API calls end up. */
  target: string;
}

export interface DashboardAssetsOptions {
  config: DashboardConfig;
  /** Assets folder; default ui/dist, built on first use when stale. */
  dir?: string;
}

const FILES: Record<string, string> = {
  '/ui/app.js': 'text/javascript; charset=utf-8',
  '/ui/app.css': 'text/css; charset=utf-8',
};

/**
 * Headers of every dashboard answer: the page runs only its own script and talks only to its own
 * origin, and no other site may frame it (clickjacking its buttons).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** True for a path the dashboard owns: /ui and everything under /ui/. */
export function isDashboardPath(pathname: string): boolean {
  return pathname === '/ui' || pathname.startsWith('/ui/');
}

/**
 * Serves the dashboard under /ui/: the two assets, /ui/config.json, and index.html for every
 * other path (the views route in the browser: /ui/jobs/{id} opened directly still works).
 * Answers false (and writes nothing) for a path outside /ui.
 */
export async function serveDashboard(req: IncomingMessage, res: ServerResponse, options: DashboardAssetsOptions): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  if (!isDashboardPath(url.pathname)) return false;
  const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...SECURITY_HEADERS, ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, 'application/json', JSON.stringify({ message: 'the dashboard serves GET only' }), { allow: 'GET, HEAD' });
    return true;
  }
  if (url.pathname === '/ui') {
    res.writeHead(308, { location: `/ui/${url.search}` });
    res.end();
    return true;
  }
  if (url.pathname === '/ui/config.json') {
    send(200, 'application/json', JSON.stringify(options.config));
    return true;
  }
  const dir = await ensureDashboardAssets(options.dir);
  const type = FILES[url.pathname];
  if (type) {
    send(200, type, await readFile(join(dir, url.pathname.slice('/ui/'.length))));
    return true;
  }
  send(200, 'text/html; charset=utf-8', await readFile(join(dir, 'index.html')));
  return true;
}
