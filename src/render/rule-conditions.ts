/**
 * What a resolved rule, a policy's `filtering` and the `AccessLogRecord` filters mean as
 * conditions Envoy can evaluate. Where Envoy cannot see what the policy asks for, the condition
 * over-approximates and a warning says so; the agent, which resolves the same policies, applies
 * the exact rule to whatever reaches it.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import type { HeaderCondition, HttpRouteMatch, PeerMatch, TargetRef } from '../api/shared/model.js';
import type { ResolvedRule } from '../policy/types.js';
import { always, and, type Condition, cel, header, never, or, status } from './conditions.js';
import { int64Max, int64Min } from './filters.js';

const serviceTag = 'kuma.io/service';

/** Where warnings go, already prefixed with the listener they are about. */
export type Warn = (message: string) => void;

/** The callers and requests a rule is for (not its `filtering`, which only narrows what it logs). */
export function ruleCondition(rule: ResolvedRule, mesh: string, protocol: 'http' | 'tcp', warn: Warn): Condition {
  const parts: Condition[] = [];
  if (rule.from) parts.push(fromCondition(rule.from, mesh, warn));
  if (rule.matches && rule.matches.length > 0) parts.push(or(...rule.matches.map(peerMatchCondition)));
  if (rule.route) {
    if (protocol === 'tcp') {
      warn(`route ${rule.route.name} cannot select requests on a TCP listener: its rule never applies`);
      return never;
    }
    parts.push(routeCondition(rule.route));
  }
  return and(...parts);
}

/** The caller's certificate URI SAN, as Kuma issues it: `spiffe://MESH/SERVICE`. */
export function spiffeId(mesh: string, service: string): string {
  return `spiffe://${mesh}/${service}`;
}

const peerSan = 'connection.uri_san_peer_certificate';
/** Envoy only has the attribute on TLS connections whose peer presented a URI SAN. */
const hasPeerSan = `has(${peerSan})`;

function sanCondition(expression: string, exact = true): Condition {
  return cel(expression, exact, hasPeerSan);
}

function fromCondition(ref: TargetRef, mesh: string, warn: Warn): Condition {
  const service = ref.kind === 'MeshService' || ref.kind === 'MeshServiceSubset' ? ref.name : ref.tags?.[serviceTag];
  const otherTags = Object.keys(ref.tags ?? {}).filter((t) => t !== serviceTag);
  switch (ref.kind) {
    case 'Mesh':
      return always;
    case 'MeshService':
      return sanCondition(`${peerSan} == ${JSON.stringify(spiffeId(mesh, ref.name ?? ''))}`);
    case 'MeshSubset':
    case 'MeshServiceSubset': {
      if (otherTags.length === 0 && service !== undefined) return sanCondition(`${peerSan} == ${JSON.stringify(spiffeId(mesh, service))}`);
      const what = service !== undefined ? `service ${service}` : `mesh ${mesh}`;
      warn(
        `from ${ref.kind} ${JSON.stringify(ref.tags ?? {})}: Envoy sees one URI SAN per caller, not its tags, so it logs for every caller in ${what}; ` +
          `the agent applies the exact rule, and less specific rules do not exclude these callers (file backends may log them twice)`,
      );
      const expression =
        service !== undefined ? `${peerSan} == ${JSON.stringify(spiffeId(mesh, service))}` : `${peerSan}.startsWith(${JSON.stringify(`spiffe://${mesh}/`)})`;
      return sanCondition(expression, false);
    }
    default:
      // Only these kinds name callers (validation refuses others in `from`); a route is a rule's `route`.
      return always;
  }
}

function peerMatchCondition(match: PeerMatch): Condition {
  const parts: string[] = [];
  if (match.spiffeID) {
    const value = JSON.stringify(match.spiffeID.value);
    parts.push(match.spiffeID.type === 'Exact' ? `${peerSan} == ${value}` : `${peerSan}.startsWith(${value})`);
  }
  if (match.sni) parts.push(`connection.requested_server_name == ${JSON.stringify(match.sni.value)}`);
  if (parts.length === 0) return always;
  return cel(parts.join(' && '), true, match.spiffeID ? hasPeerSan : undefined);
}

/** A route takes a request when any of its matches holds; no matches means every request. */
export function routeCondition(route: RouteResource): Condition {
  if (route.matches.length === 0) return always;
  return or(...route.matches.map(routeMatchCondition));
}

/**
 * `:path` carries the query string, route paths do not: an exact path also matches `PATH?...`,
 * and Kuma's `PathPrefix` matches whole segments (`/a` takes `/a`, `/a/b`, `/a?x`, not `/ab`).
 */
function routeMatchCondition(match: HttpRouteMatch): Condition {
  const parts: Condition[] = [];
  const path = match.path;
  if (path?.type === 'Exact') parts.push(or(header(':path', { exact: path.value }), header(':path', { prefix: `${path.value}?` })));
  else if (path?.type === 'PathPrefix') parts.push(pathPrefix(path.value));
  else if (path?.type === 'RegularExpression') parts.push(header(':path', { regex: `(?:${path.value})(?:\\?.*)?` }));
  if (match.method) parts.push(header(':method', { exact: match.method.toUpperCase() }));
  for (const h of match.headers ?? []) {
    const name = h.name.toLowerCase();
    if (h.type === 'Present') parts.push(header(name, { present: true }));
    else if (h.type === 'Absent') parts.push(header(name, { present: true }, true));
    else if (h.type === 'Prefix') parts.push(header(name, { prefix: h.value ?? '' }));
    else if (h.type === 'RegularExpression') parts.push(header(name, { regex: h.value ?? '' }));
    else parts.push(header(name, { exact: h.value ?? '' }));
  }
  return and(...parts);
}

function pathPrefix(value: string): Condition {
  if (value === '' || value === '/') return always;
  if (value.endsWith('/')) return header(':path', { prefix: value });
  return or(header(':path', { exact: value }), header(':path', { prefix: `${value}/` }), header(':path', { prefix: `${value}?` }));
}

const requestHeadersOnly =
  "Envoy's header_filter sees request headers only, so a response header never matches there (the agent checks both for what reaches it)";

/** The seed's `filtering.headers`, all AND-ed; `:status` compares the response code. */
export function filteringCondition(headers: Readonly<Record<string, HeaderCondition>> | undefined, warn: Warn): Condition {
  const parts: Condition[] = [];
  const headerNames: string[] = [];
  for (const [rawName, c] of Object.entries(headers ?? {})) {
    const name = rawName.toLowerCase();
    if (!name.startsWith(':')) headerNames.push(name);
    parts.push(name === ':status' ? statusCondition(c, warn) : headerCondition(name, c, warn));
  }
  if (headerNames.length > 0) warn(`filtering on ${headerNames.join(', ')}: ${requestHeadersOnly}`);
  return and(...parts);
}

function numberOf(c: HeaderCondition): number {
  return Math.trunc(Number(c.value ?? '0'));
}

function statusCondition(c: HeaderCondition, warn: Warn): Condition {
  const v = numberOf(c);
  switch (c.op) {
    case 'eq':
      return status('EQ', v);
    case 'ge':
      return status('GE', v);
    case 'le':
      return status('LE', v);
    case 'gt':
      return status('GE', v + 1);
    case 'lt':
      return v <= 0 ? never : status('LE', v - 1);
    case 'ne':
      return v <= 0 ? status('GE', 1) : or(status('LE', v - 1), status('GE', v + 1));
    case 'present':
      return status('GE', 1);
    case 'absent':
      return status('EQ', 0);
    case 'prefix':
      return statusPrefix(c.value ?? '', warn);
    case 'regex':
      warn(`filtering on :status with a regex cannot be checked by Envoy: it logs every status and the agent applies the regex`);
      return always;
  }
}

/** Status codes have three digits: prefix `5` is 500..599, `50` is 500..509. */
function statusPrefix(prefix: string, warn: Warn): Condition {
  if (!/^[0-9]{1,3}$/.test(prefix)) {
    warn(`filtering on :status with prefix ${JSON.stringify(prefix)} matches no three-digit status code`);
    return never;
  }
  const low = Number(prefix.padEnd(3, '0'));
  const high = Number(prefix.padEnd(3, '9'));
  return and(status('GE', low), status('LE', high));
}

function headerCondition(name: string, c: HeaderCondition, warn: Warn): Condition {
  const value = c.value ?? '';
  switch (c.op) {
    case 'eq':
      return header(name, { exact: value });
    case 'ne':
      return header(name, { exact: value }, true);
    case 'prefix':
      return header(name, { prefix: value });
    case 'regex':
      return header(name, { regex: value });
    case 'present':
      return header(name, { present: true });
    case 'absent':
      return header(name, { present: true }, true);
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return rangeCondition(name, c.op, numberOf(c), warn);
  }
}

/** Envoy's `range_match` is `[start, end)` over int64 header values. */
function rangeCondition(name: string, op: 'gt' | 'ge' | 'lt' | 'le', v: number, warn: Warn): Condition {
  warn(`filtering on ${name} ${op} ${v} uses Envoy's range_match, which only matches integer header values`);
  const start = op === 'gt' ? String(v + 1) : op === 'ge' ? String(v) : int64Min;
  const end = op === 'lt' ? String(v) : op === 'le' ? String(v + 1) : int64Max;
  return header(name, { range: { start, end } });
}

/**
 * Every record selecting the proxy is OR-ed: an entry is wanted when any record wants it, and a
 * record's own filters are OR-ed too (Gloo: "a request will be recorded if it matches any filter").
 */
export function recordsCondition(records: readonly AccessLogRecordLike[], warn: Warn): Condition {
  return or(...records.map((r) => recordCondition(r, warn)));
}

function recordCondition(record: AccessLogRecordLike, warn: Warn): Condition {
  const filters = record.spec.filters ?? [];
  if (filters.length === 0) return always;
  const parts: Condition[] = [];
  const headerNames: string[] = [];
  for (const f of filters) {
    if (f.statusCodeMatcher) parts.push(status(f.statusCodeMatcher.comparator ?? 'EQ', f.statusCodeMatcher.value));
    else if (f.headerMatcher) {
      const m = f.headerMatcher;
      const name = m.name.toLowerCase();
      if (!name.startsWith(':')) headerNames.push(name);
      const match = m.value === undefined || m.value === '' ? { present: true as const } : m.regex ? { regex: m.value } : { exact: m.value };
      parts.push(header(name, match, m.invertMatch ?? false));
    }
  }
  if (headerNames.length > 0) {
    warn(`AccessLogRecord ${record.namespace}/${record.name} filters on ${headerNames.join(', ')}: ${requestHeadersOnly}`);
  }
  return or(...parts);
}
