/**
 * Headers of a decoded HTTP entry, as a filter sees them, and redaction of sensitive ones.
 *
 * Envoy reports a few request headers in dedicated ALS fields (`:path` in `path`, `user-agent` in
 * `userAgent`, ...) and any others only when configured (`additional_request_headers_to_log`),
 * in the `requestHeaders` map. A lookup reads both.
 */
import type { AlsRequest, AlsResponse } from '../format/als-entry.js';
import type { DecodedEntry } from '../model/entry.js';

export type HeaderLookup = (entry: DecodedEntry, lowerName: string) => string | undefined;

/** `envoy.config.core.v3.RequestMethod` numbers. */
const methodNames = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

const requestFields: Record<string, (r: AlsRequest) => string | undefined> = {
  ':method': (r) => (r.requestMethod ? methodNames[r.requestMethod] : undefined),
  ':scheme': (r) => r.scheme || undefined,
  ':authority': (r) => r.authority || undefined,
  host: (r) => r.authority || undefined,
  ':path': (r) => r.path || undefined,
  'user-agent': (r) => r.userAgent || undefined,
  referer: (r) => r.referer || undefined,
  'x-forwarded-for': (r) => r.forwardedFor || undefined,
  'x-request-id': (r) => r.requestId || undefined,
  'x-envoy-original-path': (r) => r.originalPath || undefined,
};

export const requestHeaderLookup: HeaderLookup = (entry, name) => {
  const request = entry['request'] as AlsRequest | undefined;
  if (!request) return undefined;
  const fromMap = mapLookup(request.requestHeaders, name);
  if (fromMap !== undefined) return fromMap;
  return requestFields[name]?.(request);
};

export const responseHeaderLookup: HeaderLookup = (entry, name) => {
  const response = entry['response'] as AlsResponse | undefined;
  if (!response) return undefined;
  return mapLookup(response.responseHeaders, name) ?? mapLookup(response.responseTrailers, name);
};

function mapLookup(map: Record<string, string> | undefined, lowerName: string): string | undefined {
  if (!map) return undefined;
  const direct = map[lowerName];
  if (direct !== undefined) return direct;
  // Envoy sends lower-case names; tolerate other senders.
  for (const key in map) if (key.toLowerCase() === lowerName) return map[key];
  return undefined;
}

/**
 * Headers whose values are secrets unless a record names them (or the operator reveals them).
 * Credentials (`authorization`, cookies, API keys), and the tokens clouds and proxies put in
 * headers: AWS session tokens, CSRF tokens, Google IAP's signed identity, Google API keys, GitHub,
 * GitLab and Vault tokens, and the access tokens OAuth2 Proxy and similar gateways forward.
 */
export const defaultSensitiveHeaders: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-goog-iap-jwt-assertion',
  'x-goog-api-key',
  'x-github-token',
  'x-gitlab-token',
  'x-forwarded-access-token',
  'x-auth-request-access-token',
  'x-vault-token',
  'x-access-token',
  'x-refresh-token',
  'x-session-token',
];

export const redactedValue = '[redacted]';

/**
 * Replaces the values of sensitive headers in place, except those in `allowed` (lower-case).
 * Returns true when anything was replaced (the caller re-encodes the entry).
 */
export function redactSensitiveHeaders(entry: DecodedEntry, sensitive: ReadonlySet<string>, allowed: ReadonlySet<string>): boolean {
  const request = entry['request'] as AlsRequest | undefined;
  const response = entry['response'] as AlsResponse | undefined;
  let changed = redactMap(request?.requestHeaders, sensitive, allowed);
  changed = redactMap(response?.responseHeaders, sensitive, allowed) || changed;
  changed = redactMap(response?.responseTrailers, sensitive, allowed) || changed;
  return changed;
}

function redactMap(map: Record<string, string> | undefined, sensitive: ReadonlySet<string>, allowed: ReadonlySet<string>): boolean {
  if (!map) return false;
  let changed = false;
  for (const key in map) {
    const lower = key.toLowerCase();
    if (sensitive.has(lower) && !allowed.has(lower) && map[key] !== redactedValue) {
      map[key] = redactedValue;
      changed = true;
    }
  }
  return changed;
}
