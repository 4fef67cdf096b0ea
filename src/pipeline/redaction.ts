/**
 * What the operator says is secret, and taking it out of an entry before it leaves meshlog: the
 * values of sensitive headers, and the values of named query parameters in `:path` (also in
 * `x-envoy-original-path` and `referer`, which carry the same URLs). The pipeline keeps the
 * redacted path in the store's `path` column too, so a token in a query string is never stored or
 * queried in clear.
 *
 * The policy is the operator's alone (`--sensitive-header`, `--reveal-header`,
 * `--redact-query-param`); a resource can only ask for a header through a record's `included*`
 * list, as Gloo's records do.
 */
import type { AlsRequest } from '../format/als-entry.js';
import type { DecodedEntry } from '../model/entry.js';
import { defaultSensitiveHeaders, redactedValue, redactSensitiveHeaders } from './entry-headers.js';

/**
 * Query parameters whose values are credentials: OAuth 2.0 tokens and codes, signed-URL
 * signatures (AWS SigV4, Azure SAS, Google), API keys and passwords.
 */
export const defaultRedactedQueryParams: readonly string[] = [
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'code',
  'client_secret',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-credential',
  'x-goog-signature',
  'x-goog-credential',
  'api_key',
  'apikey',
  'key',
  'password',
  'secret',
];

export interface RedactionPolicy {
  /** Lower-case header names whose values are replaced, unless a collecting record includes them. */
  readonly sensitiveHeaders: ReadonlySet<string>;
  /** Lower-case query parameter names whose values are replaced in `:path`. */
  readonly queryParams: ReadonlySet<string>;
}

export interface RedactionOptions {
  /** Added to the default sensitive headers (`--sensitive-header`). */
  readonly sensitiveHeaders?: readonly string[];
  /** Taken out of the sensitive headers, defaults included (`--reveal-header`). */
  readonly revealHeaders?: readonly string[];
  /** Added to the default query parameters (`--redact-query-param`). */
  readonly redactQueryParams?: readonly string[];
}

export function createRedactionPolicy(options: RedactionOptions = {}): RedactionPolicy {
  const lower = (names: readonly string[] | undefined) => (names ?? []).map((n) => n.toLowerCase());
  const revealed = new Set(lower(options.revealHeaders));
  const sensitive = [...defaultSensitiveHeaders, ...lower(options.sensitiveHeaders)].filter((h) => !revealed.has(h));
  return { sensitiveHeaders: new Set(sensitive), queryParams: new Set([...defaultRedactedQueryParams, ...lower(options.redactQueryParams)]) };
}

/**
 * `text` (a path or URL) with the values of the named query parameters replaced; the same string
 * when it has no such parameter. Names compare case-insensitively and percent-decoded.
 */
export function redactQuery(text: string, params: ReadonlySet<string>): string {
  const start = text.indexOf('?');
  if (start < 0 || params.size === 0) return text;
  const hash = text.indexOf('#', start);
  const end = hash < 0 ? text.length : hash;
  if (!mayName(text, start + 1, end, params)) return text;
  const pairs = text.slice(start + 1, end).split('&');
  let changed = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const eq = pair.indexOf('=');
    if (eq < 0 || !params.has(paramName(pair.slice(0, eq)))) continue;
    if (pair.slice(eq + 1) === redactedValue) continue;
    pairs[i] = `${pair.slice(0, eq + 1)}${redactedValue}`;
    changed = true;
  }
  return changed ? `${text.slice(0, start + 1)}${pairs.join('&')}${text.slice(end)}` : text;
}

/**
 * Whether a parameter in `text[from, to)` may be one of `params`: the cheap check before the
 * query is split. A name with an escape or a `+` is decoded by the full path, so it says yes.
 */
function mayName(text: string, from: number, to: number, params: ReadonlySet<string>): boolean {
  for (let at = from; at < to; ) {
    let amp = text.indexOf('&', at);
    if (amp < 0 || amp > to) amp = to;
    const eq = text.indexOf('=', at);
    if (eq >= 0 && eq < amp) {
      const name = text.slice(at, eq);
      if (name.includes('%') || name.includes('+') || params.has(name.toLowerCase())) return true;
    }
    at = amp + 1;
  }
  return false;
}

function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    // Malformed escapes: compare what was sent.
    return raw.toLowerCase();
  }
}

/**
 * Redacts an HTTP entry in place: sensitive headers not in `allowed` (lower-case names a record
 * that collected the entry includes), and the policy's query parameters in the request's path,
 * original path and referer. True when anything changed (the caller re-encodes the entry).
 */
export function redactEntry(entry: DecodedEntry, policy: RedactionPolicy, allowed: ReadonlySet<string>): boolean {
  let changed = redactSensitiveHeaders(entry, policy.sensitiveHeaders, allowed);
  const request = entry['request'] as AlsRequest | undefined;
  if (!request) return changed;
  for (const key of ['path', 'originalPath', 'referer'] as const) {
    const value = request[key];
    if (!value) continue;
    const redacted = redactQuery(value, policy.queryParams);
    if (redacted !== value) {
      request[key] = redacted;
      changed = true;
    }
  }
  return changed;
}
