/**
 * The rendered filters, evaluated as Envoy would (`envoy-filter-model.ts`), log each request to
 * exactly the backends of the first rule that takes it, kept by that rule's filtering: checked
 * against a plain reading of the policy semantics over many requests.
 */
import { describe, expect, it } from 'vitest';
import type { HeaderCondition, HttpRouteMatch } from '../api/shared/model.js';
import type { ResolvedRule } from '../policy/types.js';
import { renderAccessLogs } from './render-access-logs.js';
import { evaluateCel, evaluateFilter, type ModelRequest } from './testing/envoy-filter-model.js';
import { httpInbound, options, proxyConfig, route, rule } from './testing/fixtures.js';

/** The policy semantics, written plainly: does the rule take the request? */
function takes(r: ResolvedRule, req: ModelRequest): boolean {
  if (r.from?.kind === 'MeshService' && req.san !== `spiffe://default/${r.from.name}`) return false;
  if (r.matches && !r.matches.some((m) => peerMatches(m, req))) return false;
  if (r.route && r.route.matches.length > 0 && !r.route.matches.some((m) => routeMatches(m, req))) return false;
  return true;
}

function peerMatches(m: NonNullable<ResolvedRule['matches']>[number], req: ModelRequest): boolean {
  if (m.spiffeID) {
    if (req.san === undefined) return false;
    if (m.spiffeID.type === 'Exact' ? req.san !== m.spiffeID.value : !req.san.startsWith(m.spiffeID.value)) return false;
  }
  return !m.sni || req.sni === m.sni.value;
}

function routeMatches(m: HttpRouteMatch, req: ModelRequest): boolean {
  const path = (req.headers[':path'] ?? '').split('?')[0]!;
  if (m.path) {
    const v = m.path.value;
    if (m.path.type === 'Exact' && path !== v) return false;
    if (m.path.type === 'PathPrefix' && !(path === v || path.startsWith(v.endsWith('/') ? v : `${v}/`))) return false;
    if (m.path.type === 'RegularExpression' && !new RegExp(`^(?:${v})$`).test(path)) return false;
  }
  if (m.method && req.headers[':method'] !== m.method.toUpperCase()) return false;
  for (const h of m.headers ?? []) {
    const v = req.headers[h.name.toLowerCase()];
    const ok =
      h.type === 'Absent'
        ? v === undefined
        : v !== undefined &&
          (h.type === 'Present' ||
            (h.type === 'Prefix' ? v.startsWith(h.value!) : h.type === 'RegularExpression' ? new RegExp(`^(?:${h.value})$`).test(v) : v === h.value));
    if (!ok) return false;
  }
  return true;
}

function keeps(r: ResolvedRule, req: ModelRequest): boolean {
  return Object.entries(r.filtering?.headers ?? {}).every(([name, c]) => conditionHolds(name, c, req));
}

function conditionHolds(name: string, c: HeaderCondition, req: ModelRequest): boolean {
  const value = name === ':status' ? String(req.status) : req.headers[name];
  const want = c.value ?? '';
  switch (c.op) {
    case 'present':
      return value !== undefined;
    case 'absent':
      return value === undefined;
    case 'eq':
      return value === want;
    case 'ne':
      return value !== want;
    case 'prefix':
      return value?.startsWith(want) === true;
    case 'regex':
      return value !== undefined && new RegExp(`^(?:${want})$`).test(value);
    default: {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const n = Number(value);
      const w = Number(want);
      return c.op === 'gt' ? n > w : c.op === 'ge' ? n >= w : c.op === 'lt' ? n < w : n <= w;
    }
  }
}

function expectedPaths(rules: readonly ResolvedRule[], req: ModelRequest): string[] {
  const first = rules.find((r) => takes(r, req));
  if (!first || !keeps(first, req)) return [];
  return first.backends.flatMap((b) => (b.type === 'file' ? [b.path] : []));
}

type Logs = readonly Record<string, unknown>[];

function renderedLogs(rules: ResolvedRule[]): Logs {
  return renderAccessLogs(proxyConfig({ inbounds: [httpInbound(rules)] }), [], options).listeners[0]!.access_log;
}

function renderedPaths(logs: Logs, req: ModelRequest): string[] {
  return logs
    .filter((log) => log['name'] === 'envoy.access_loggers.file' && evaluateFilter(log['filter'] as Record<string, unknown> | undefined, req))
    .map((log) => (log['typed_config'] as { path: string }).path);
}

function* requests(): Generator<ModelRequest> {
  const sans = [
    undefined,
    'spiffe://default/frontend',
    'spiffe://default/ns/clients/sa/specific',
    'spiffe://default/ns/clients/sa/other',
    'spiffe://default/admin',
  ];
  const paths = ['/', '/api', '/api/v1?x=1', '/apiary', '/login', '/login?next=/', '/login/x', '/items/42', '/items/4a', '/healthz', '/static/a.css'];
  const extras: Record<string, string>[] = [
    {},
    { 'x-env': 'prod', 'x-team': 'payments', 'x-trace': '1', 'x-id': 'deadbeef' },
    { 'x-internal': '1', 'x-n': '15' },
  ];
  for (const san of sans) {
    for (const path of paths) {
      for (const [k, extra] of extras.entries()) {
        for (const status of [0, 200, 404, 500, 503]) {
          for (const sni of ['', 'web.mesh']) {
            yield { status, sni, ...(san ? { san } : {}), headers: { ':path': path, ':method': k === 1 ? 'POST' : 'GET', ...extra } };
          }
        }
      }
    }
  }
}

const ruleSets: Record<string, ResolvedRule[]> = {
  callers: [
    rule([{ type: 'file', path: '/exact' }], { matches: [{ spiffeID: { type: 'Exact', value: 'spiffe://default/ns/clients/sa/specific' } }] }),
    rule([{ type: 'file', path: '/prefix-or-sni' }], {
      matches: [{ spiffeID: { type: 'Prefix', value: 'spiffe://default/ns/clients/' } }, { sni: { type: 'Exact', value: 'web.mesh' } }],
    }),
    rule([{ type: 'file', path: '/frontend' }], {
      from: { kind: 'MeshService', name: 'frontend' },
      filtering: { headers: { ':status': { op: 'ge', value: '500' } } },
    }),
    rule([
      { type: 'file', path: '/all-1' },
      { type: 'file', path: '/all-2' },
    ]),
  ],
  routes: [
    rule([{ type: 'file', path: '/api' }], {
      route: route('api', [
        { path: { type: 'PathPrefix', value: '/api' }, method: 'POST' },
        { path: { type: 'Exact', value: '/login' } },
        { path: { type: 'RegularExpression', value: '/items/[0-9]+' } },
        {
          path: { type: 'PathPrefix', value: '/static/' },
          headers: [
            { type: 'Exact', name: 'x-env', value: 'prod' },
            { type: 'Prefix', name: 'x-team', value: 'pay' },
            { type: 'RegularExpression', name: 'x-id', value: '[a-f0-9]{8}' },
            { type: 'Present', name: 'x-trace' },
            { type: 'Absent', name: 'x-internal' },
          ],
        },
      ]),
    }),
    rule([], { route: route('health', [{ path: { type: 'Exact', value: '/healthz' } }]) }),
    rule([{ type: 'file', path: '/frontend-rest' }], { from: { kind: 'MeshService', name: 'frontend' } }),
    rule([{ type: 'file', path: '/rest' }], { filtering: { headers: { ':status': { op: 'ne', value: '200' }, 'x-n': { op: 'gt', value: '10' } } } }),
  ],
  filtering: [
    rule([{ type: 'file', path: '/f1' }], {
      from: { kind: 'MeshService', name: 'admin' },
      filtering: { headers: { ':status': { op: 'lt', value: '500' }, 'x-internal': { op: 'absent' } } },
    }),
    rule([{ type: 'file', path: '/f2' }], {
      filtering: { headers: { ':status': { op: 'prefix', value: '5' }, ':path': { op: 'regex', value: '/l.*' }, 'x-env': { op: 'ne', value: 'prod' } } },
    }),
  ],
};

describe('rendered filters take each request to the first rule that matches it', () => {
  for (const [name, rules] of Object.entries(ruleSets)) {
    it(name, () => {
      let logged = 0;
      const logs = renderedLogs(rules);
      for (const req of requests()) {
        const want = expectedPaths(rules, req);
        logged += want.length;
        expect(renderedPaths(logs, req), JSON.stringify(req)).toEqual(want);
      }
      // The requests reach more than one rule: the check is not vacuous.
      expect(logged).toBeGreaterThan(100);
    });
  }
});

describe('the CEL model', () => {
  it('follows CEL error semantics for a missing peer certificate', () => {
    const plaintext = { status: 200, headers: {}, sni: '' };
    expect(evaluateCel('connection.uri_san_peer_certificate == "x"', plaintext)).not.toBe(true);
    expect(evaluateCel('!(connection.uri_san_peer_certificate == "x")', plaintext)).not.toBe(true);
    expect(evaluateCel('!has(connection.uri_san_peer_certificate) || !(connection.uri_san_peer_certificate == "x")', plaintext)).toBe(true);
    expect(evaluateCel('connection.uri_san_peer_certificate.startsWith("x") || connection.requested_server_name == ""', plaintext)).toBe(true);
  });
});
