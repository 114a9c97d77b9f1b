import type { ApiRequest } from './api-request.ts';
import { RouteNotFoundError } from '../domain/errors.ts';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: ApiRequest, params: Record<string, string>) => Promise<ApiResponse>;

export interface Route {
  method: string;
  /** `/jobs/{id}/cancel` */
  path: string;
  handler: RouteHandler;
}

/** A small method + path router; `{name}` segments become params. */
export class Router {
  private readonly routes: { method: string; segments: string[]; handler: RouteHandler }[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((r) => ({ method: r.method, segments: split(r.path), handler: r.handler }));
  }

  async dispatch(request: ApiRequest): Promise<ApiResponse> {
    const segments = split(request.path);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = match(route.segments, segments);
      if (!params) continue;
      if (route.method === request.method) return route.handler(request, params);
      allowed.push(route.method);
    }
    throw new RouteNotFoundError(request.method, request.path, allowed);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith('{') && p.endsWith('}')) {
      try {
        params[p.slice(1, -1)] = decodeURIComponent(a);
      } catch {
        return null;
      }
    } else if (p !== a) {
      return null;
    }
  }
  return params;
}
