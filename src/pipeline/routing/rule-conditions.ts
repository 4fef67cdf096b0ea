/**
 * A resolved rule's conditions as predicates over a decoded entry: the route it names (path,
 * method, headers), the callers it is for (`from` against the peer's tags, `matches` against the
 * peer certificate and SNI), and the policy's `filtering` (headers and `:status`, all AND-ed).
 * Compiled once per rule; evaluating them does not allocate.
 */

import type { Filtering, HeaderCondition, HttpRouteMatch, PeerMatch } from '../../api/shared/model.js';
import { commonOf } from '../../format/als-entry.js';
import type { DecodedEntry } from '../../model/entry.js';
import { selectsTags } from '../../policy/target-ref.js';
import type { ResolvedRule } from '../../policy/types.js';
import { compileRegex } from '../../util/re2.js';
import { requestHeaderLookup, responseHeaderLookup } from '../entry-headers.js';

/** The other side of an entry: the caller on inbound traffic, the destination on outbound. */
export interface Peer {
  /** Tags of the caller (inbound) when known: `kuma.io/service`, labels, zone. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly service?: string | undefined;
  /** `ip:port`. */
  readonly address?: string | undefined;
}

export type RulePredicate = (entry: DecodedEntry, peer: Peer) => boolean;
type EntryPredicate = (entry: DecodedEntry) => boolean;

function responseCode(entry: DecodedEntry): number | undefined {
  const code = (entry['response'] as { responseCode?: { value?: number } | null } | undefined)?.responseCode;
  return code ? (code.value ?? 0) : undefined;
}

function headerValue(entry: DecodedEntry, name: string): string | undefined {
  if (name === ':status') {
    const code = responseCode(entry);
    return code === undefined ? undefined : String(code);
  }
  return requestHeaderLookup(entry, name) ?? responseHeaderLookup(entry, name);
}

function compileCondition(name: string, c: HeaderCondition): EntryPredicate {
  const want = c.value ?? '';
  const number = Number(want);
  switch (c.op) {
    case 'present':
      return (e) => headerValue(e, name) !== undefined;
    case 'absent':
      return (e) => headerValue(e, name) === undefined;
    case 'eq':
      return (e) => headerValue(e, name) === want;
    case 'ne':
      return (e) => headerValue(e, name) !== want;
    case 'prefix':
      return (e) => headerValue(e, name)?.startsWith(want) ?? false;
    case 'regex': {
      const re = compileRegex(want);
      return (e) => {
        const v = headerValue(e, name);
        return v !== undefined && re.test(v);
      };
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const op = c.op;
      return (e) => {
        const v = headerValue(e, name);
        if (v === undefined || v === '') return false;
        const n = Number(v);
        return op === 'lt' ? n < number : op === 'le' ? n <= number : op === 'gt' ? n > number : n >= number;
      };
    }
  }
}

export function compileFiltering(filtering: Filtering | undefined): EntryPredicate | null {
  const conditions = Object.entries(filtering?.headers ?? {}).map(([name, c]) => compileCondition(name.toLowerCase(), c));
  if (conditions.length === 0) return null;
  return (entry) => conditions.every((c) => c(entry));
}

function compileRouteMatch(m: HttpRouteMatch): EntryPredicate {
  const parts: EntryPredicate[] = [];
  if (m.path) {
    const { type, value } = m.path;
    const re = type === 'RegularExpression' ? compileRegex(value) : null;
    parts.push((e) => {
      const path = (requestHeaderLookup(e, ':path') ?? '').split('?')[0]!;
      if (re) return re.test(path);
      if (type === 'Exact') return path === value;
      // Kuma's PathPrefix matches whole segments: /apples matches /apples and /apples/1, not /applesauce.
      return path === value || path.startsWith(value.endsWith('/') ? value : `${value}/`);
    });
  }
  if (m.method) {
    const method = m.method.toUpperCase();
    parts.push((e) => requestHeaderLookup(e, ':method') === method);
  }
  for (const h of m.headers ?? []) {
    const name = h.name.toLowerCase();
    const re = h.type === 'RegularExpression' ? compileRegex(h.value ?? '') : null;
    parts.push((e) => {
      const v = requestHeaderLookup(e, name);
      if (h.type === 'Absent') return v === undefined;
      if (v === undefined) return false;
      if (h.type === 'Present') return true;
      if (re) return re.test(v);
      return h.type === 'Prefix' ? v.startsWith(h.value ?? '') : v === h.value;
    });
  }
  return (e) => parts.every((p) => p(e));
}

function peerUriSans(entry: DecodedEntry): readonly { uri?: string }[] {
  return commonOf(entry)?.tlsProperties?.peerCertificateProperties?.subjectAltName ?? [];
}

function compilePeerMatch(m: PeerMatch): EntryPredicate {
  return (entry) => {
    if (m.spiffeID) {
      const { type, value } = m.spiffeID;
      const ok = peerUriSans(entry).some((san) => (type === 'Exact' ? san.uri === value : (san.uri ?? '').startsWith(value)));
      if (!ok) return false;
    }
    if (m.sni && commonOf(entry)?.tlsProperties?.tlsSniHostname !== m.sni.value) return false;
    return true;
  };
}

/** Whether a request belongs to a rule (its route, callers and matches); filtering is separate. */
export function compileRuleCondition(rule: ResolvedRule): RulePredicate {
  const route = rule.route && rule.route.matches.length > 0 ? rule.route.matches.map(compileRouteMatch) : null;
  const matches = rule.matches?.map(compilePeerMatch) ?? null;
  const from = rule.from && rule.from.kind !== 'Mesh' ? rule.from : null;
  return (entry, peer) => {
    if (route && !route.some((r) => r(entry))) return false;
    if (matches && !matches.some((m) => m(entry))) return false;
    if (from && !(peer.tags && selectsTags(from, peer.tags))) return false;
    return true;
  };
}
