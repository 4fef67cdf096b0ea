/**
 * Each view has a URL of its own, in two forms that work alike: `/logs?status=5xx` (served by
 * meshlog for every view path) and `/#/logs?status=5xx` (for a server behind a proxy that only
 * passes `/`). The form the page was opened with is the form its links keep.
 */
import { useEffect, useState } from 'preact/hooks';

export type View = 'logs' | 'failures' | 'request' | 'overview' | 'proxies' | 'not-found';

export interface Route {
  readonly view: View;
  /** The request id or proxy id in `/requests/ID`, `/proxies/ID`. */
  readonly id: string | null;
  readonly params: URLSearchParams;
  /** The path and query, without the `#`. */
  readonly path: string;
}

function hashMode(): boolean {
  return location.hash.startsWith('#/');
}

function currentPath(): string {
  return hashMode() ? location.hash.slice(1) : location.pathname + location.search;
}

export function parseRoute(path: string): Route {
  const q = path.indexOf('?');
  const pathname = q === -1 ? path : path.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : path.slice(q + 1));
  const parts = pathname.split('/').filter((p) => p !== '');
  const id = parts[1] !== undefined ? decodeURIComponent(parts[1]) : null;
  const view: View =
    parts.length === 0 || (parts[0] === 'logs' && parts.length === 1)
      ? 'logs'
      : parts[0] === 'failures' && parts.length === 1
        ? 'failures'
        : parts[0] === 'overview' && parts.length === 1
          ? 'overview'
          : parts[0] === 'requests' && parts.length === 2
            ? 'request'
            : parts[0] === 'proxies' && parts.length <= 2
              ? 'proxies'
              : 'not-found';
  return { view, id, params, path };
}

/** The `href` for a view path (`/failures?since=1h`) in the form this page uses. */
export function href(path: string): string {
  return hashMode() ? `#${path}` : path;
}

/** Goes to a view path; `replace` rewrites the current history entry (a filter change). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = href(path);
  if (url === (hashMode() ? location.hash : location.pathname + location.search)) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  notify();
}

const listeners = new Set<() => void>();
function notify(): void {
  for (const l of listeners) l();
}
addEventListener('popstate', notify);
addEventListener('hashchange', notify);

export function useRoute(): Route {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return parseRoute(path);
}

/** A view path with query parameters; empty values are left out. */
export function pathWith(pathname: string, params: URLSearchParams | Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) if (v !== undefined && v !== '') query.append(k, v);
  const text = query.toString();
  return text ? `${pathname}?${text}` : pathname;
}

/** Follows a link inside the page without reloading it (path form); the hash form needs nothing. */
export function onLinkClick(event: MouseEvent): void {
  const a = (event.target as Element).closest('a');
  if (!a || hashMode() || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
