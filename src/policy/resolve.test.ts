import { describe, expect, it } from 'vitest';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { InboundEntry, MeshAccessLogPolicy, OutboundEntry } from '../api/mesh-access-log/model.js';
import type { AccessLogBackendResource } from '../api/mesh-access-log-backend/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import type { BackendEntry, TargetRef } from '../api/shared/model.js';
import { resolveOutbound, resolveProxy } from './resolve.js';
import type { PolicySet } from './types.js';

const mesh: TargetRef = { kind: 'Mesh' };
const service = (name: string): TargetRef => ({ kind: 'MeshService', name });
const file = (path: string): BackendEntry => ({ type: 'file', path });
const ref = (name: string): BackendEntry => ({ type: 'reference', kind: 'MeshAccessLogBackend', name });

function policy(name: string, targetRef: TargetRef, parts: { from?: InboundEntry[]; to?: OutboundEntry[] }): MeshAccessLogPolicy {
  return { name, mesh: 'default', targetRef, from: parts.from ?? [], to: parts.to ?? [] };
}

function proxy(name: string, service: string, extra: Partial<InventoryProxy> & { tags?: Record<string, string> } = {}): InventoryProxy {
  return {
    id: `default.${name}`,
    mesh: 'default',
    name,
    type: 'sidecar',
    address: '10.0.0.1',
    inbounds: [{ port: 8080, address: '10.0.0.1', protocol: 'http', tags: { 'kuma.io/service': service, ...extra.tags } }],
    outbounds: [],
    origin: 'Dataplane',
    ...extra,
  };
}

const backends: AccessLogBackendResource[] = [
  { kind: 'MeshAccessLogBackend', name: 'logstash-backend', mesh: 'default', backendName: 'logstash', backend: { type: 'tcp', address: '127.0.0.1:5000' } },
  { kind: 'MeshAccessLogBackend', name: 'file-backend', mesh: 'default', backendName: 'file', backend: { type: 'file', path: '/tmp/access.log' } },
];

function set(policies: MeshAccessLogPolicy[], extra: Partial<PolicySet> = {}): PolicySet {
  return { policies, backends, routes: [], ...extra };
}

/** The backends of a listener's rules, as `file:/path` / `tcp:addr`, most specific rule first. */
function shown(rules: ReturnType<typeof resolveProxy>['inbounds'][number]['rules']): string[][] {
  return rules.map((r) => r.backends.map((b) => (b.type === 'file' ? `file:${b.path}` : b.type === 'tcp' ? `tcp:${b.address}` : b.type)));
}

describe('resolveProxy', () => {
  it("resolves the seed's 'default with override' example: references by resource name, the to-override for one destination", () => {
    const s = set([
      policy('default-logging', mesh, {
        from: [{ targetRef: mesh, default: { backends: [ref('logstash-backend')] } }],
        to: [{ targetRef: mesh, default: { backends: [ref('logstash-backend')] } }],
      }),
      policy('debugging-issue', service('web-frontend'), { to: [{ targetRef: service('web-backend'), default: { backends: [ref('file-backend')] } }] }),
    ]);
    const frontend = proxy('fe-1', 'web-frontend', {
      outbounds: [
        { port: 10001, service: 'web-backend', tags: { 'kuma.io/service': 'web-backend' }, protocol: 'http' },
        { port: 10002, service: 'web-queue', tags: { 'kuma.io/service': 'web-queue' }, protocol: 'tcp' },
      ],
    });
    const config = resolveProxy(s, frontend);
    expect(config.errors).toEqual([]);
    expect(shown(config.inbounds[0]!.rules)).toEqual([['tcp:127.0.0.1:5000']]);
    expect(shown(config.outbounds[0]!.rules)).toEqual([['file:/tmp/access.log']]);
    expect(config.outbounds[0]!.rules[0]!.policies.map((p) => p.policy)).toEqual(['default-logging', 'debugging-issue']);
    expect(shown(config.outbounds[1]!.rules)).toEqual([['tcp:127.0.0.1:5000']]);
    expect(config.outbounds[1]!.rules[0]!.backends[0]!.source).toEqual({
      kind: 'MeshAccessLogBackend',
      name: 'logstash-backend',
      mesh: 'default',
      backendName: 'logstash',
    });
  });

  it('ranks the top-level target before the name: a MeshService policy beats a Mesh policy named "a"', () => {
    const s = set([
      policy('a', mesh, { to: [{ targetRef: mesh, default: { backends: [file('/a')] } }] }),
      policy('z', service('web'), { to: [{ targetRef: mesh, default: { backends: [file('/z')] } }] }),
    ]);
    expect(shown(resolveOutbound(s, proxy('w', 'web'), { service: 'db' }).listener.rules)).toEqual([['file:/z']]);
  });

  it('breaks ties by name: the lexicographically smallest name wins', () => {
    const s = set([
      policy('b-policy', service('web'), { to: [{ targetRef: mesh, default: { backends: [file('/b')] } }] }),
      policy('a-policy', service('web'), { to: [{ targetRef: mesh, default: { backends: [file('/a')] } }] }),
      policy('c-policy', service('web'), { to: [{ targetRef: mesh, default: { backends: [file('/c')] } }] }),
    ]);
    const rule = resolveOutbound(s, proxy('w', 'web'), { service: 'db' }).listener.rules[0]!;
    expect(rule.backends).toMatchObject([{ path: '/a' }]);
    expect(rule.policies.map((p) => p.policy)).toEqual(['c-policy', 'b-policy', 'a-policy']);
  });

  it('ranks the entry target after the policy keys, and a subset with more tags above one with fewer', () => {
    const s = set([
      policy('p', mesh, {
        to: [
          { targetRef: service('db'), default: { backends: [file('/db')] } },
          { targetRef: mesh, default: { backends: [file('/all')] } },
        ],
      }),
      policy('q1', { kind: 'MeshSubset', tags: { env: 'prod' } }, { to: [{ targetRef: mesh, default: { backends: [file('/prod')] } }] }),
      policy('q0', { kind: 'MeshSubset', tags: { env: 'prod', team: 'x' } }, { to: [{ targetRef: mesh, default: { backends: [file('/prod-x')] } }] }),
    ]);
    expect(shown(resolveOutbound(s, proxy('w', 'web'), { service: 'db' }).listener.rules)).toEqual([['file:/db']]);
    expect(shown(resolveOutbound(s, proxy('w', 'web', { tags: { env: 'prod' } }), { service: 'db' }).listener.rules)).toEqual([['file:/prod']]);
    expect(shown(resolveOutbound(s, proxy('w', 'web', { tags: { env: 'prod', team: 'x' } }), { service: 'db' }).listener.rules)).toEqual([['file:/prod-x']]);
  });

  it('replaces lists and merges filtering by header', () => {
    const s = set([
      policy('base', mesh, {
        to: [
          {
            targetRef: mesh,
            default: { backends: [file('/1'), file('/2')], filtering: { headers: { ':status': { op: 'ge', value: '500' }, 'x-debug': { op: 'present' } } } },
          },
        ],
      }),
      policy('web', service('web'), {
        to: [{ targetRef: mesh, default: { backends: [file('/3')], filtering: { headers: { ':status': { op: 'eq', value: '503' } } } } }],
      }),
    ]);
    const rule = resolveOutbound(s, proxy('w', 'web'), { service: 'db' }).listener.rules[0]!;
    expect(shown([rule])).toEqual([['file:/3']]);
    expect(rule.filtering).toEqual({ headers: { ':status': { op: 'eq', value: '503' }, 'x-debug': { op: 'present' } } });
  });

  it('keeps the inherited backends when a more specific entry only changes filtering', () => {
    const s = set([
      policy('base', mesh, { to: [{ targetRef: mesh, default: { backends: [file('/1')] } }] }),
      policy('web', service('web'), { to: [{ targetRef: mesh, default: { filtering: { headers: { ':status': { op: 'ge', value: '400' } } } } }] }),
    ]);
    expect(shown(resolveOutbound(s, proxy('w', 'web'), { service: 'db' }).listener.rules)).toEqual([['file:/1']]);
  });

  it("routes zones through MeshSubset kuma.io/zone (the seed's zones example, references by spec.name)", () => {
    const zoneBackends: AccessLogBackendResource[] = [
      {
        kind: 'MeshAccessLogBackend',
        name: 'logstash-backend',
        mesh: 'default',
        backendName: 'logstash-zone-a',
        backend: { type: 'tcp', address: '127.0.0.1:5000' },
      },
      {
        kind: 'MeshAccessLogBackend',
        name: 'file-backend',
        mesh: 'default',
        backendName: 'logstash-zone-b',
        backend: { type: 'tcp', address: '127.0.0.2:5000' },
      },
    ];
    const zone = (z: string) =>
      policy(`log-${z}`, { kind: 'MeshSubset', tags: { 'kuma.io/zone': z } }, { from: [{ targetRef: mesh, default: { backends: [ref(`logstash-${z}`)] } }] });
    const s: PolicySet = { policies: [zone('zone-a'), zone('zone-b')], backends: zoneBackends, routes: [] };
    expect(shown(resolveProxy(s, proxy('a', 'web', { tags: { 'kuma.io/zone': 'zone-a' } })).inbounds[0]!.rules)).toEqual([['tcp:127.0.0.1:5000']]);
    expect(shown(resolveProxy(s, proxy('b', 'web', { tags: { 'kuma.io/zone': 'zone-b' } })).inbounds[0]!.rules)).toEqual([['tcp:127.0.0.2:5000']]);
    expect(resolveProxy(s, proxy('c', 'web', { tags: { 'kuma.io/zone': 'zone-c' } })).inbounds[0]!.rules).toEqual([]);
  });

  it('makes one inbound rule per caller target, most specific first, each merged with the entries that contain it', () => {
    const s = set([
      policy('all', mesh, {
        from: [{ targetRef: mesh, default: { backends: [file('/all')], filtering: { headers: { ':status': { op: 'ge', value: '500' } } } } }],
      }),
      policy('web', service('web'), {
        from: [
          { targetRef: service('frontend'), default: { backends: [file('/frontend')] } },
          {
            targetRef: { kind: 'MeshServiceSubset', name: 'frontend', tags: { version: 'v2' } },
            default: { filtering: { headers: { ':status': { op: 'ge', value: '400' } } } },
          },
        ],
      }),
    ]);
    const rules = resolveProxy(s, proxy('w', 'web')).inbounds[0]!.rules;
    expect(rules.map((r) => r.from?.kind)).toEqual(['MeshServiceSubset', 'MeshService', 'Mesh']);
    expect(shown(rules)).toEqual([['file:/frontend'], ['file:/frontend'], ['file:/all']]);
    expect(rules[0]!.filtering).toEqual({ headers: { ':status': { op: 'ge', value: '400' } } });
    expect(rules[1]!.filtering).toEqual({ headers: { ':status': { op: 'ge', value: '500' } } });
    expect(rules[0]!.policies.map((p) => `${p.policy}:${p.entryTargetRef.kind}`)).toEqual(['all:Mesh', 'web:MeshService', 'web:MeshServiceSubset']);
  });

  it('orders Kuma 2.x rules with matches before the catch-all: SPIFFE Exact, then Prefix', () => {
    const s = set([
      {
        ...policy('rules', mesh, {}),
        from: [
          { targetRef: mesh, default: { backends: [file('/all')] } },
          { targetRef: mesh, matches: [{ spiffeID: { type: 'Prefix', value: 'spiffe://default/' } }], default: { backends: [file('/prefix')] } },
          { targetRef: mesh, matches: [{ spiffeID: { type: 'Exact', value: 'spiffe://default/client' } }], default: { backends: [file('/exact')] } },
        ],
        fromSections: ['rules', 'rules', 'rules'],
      },
    ]);
    const rules = resolveProxy(s, proxy('w', 'web')).inbounds[0]!.rules;
    expect(shown(rules)).toEqual([['file:/exact'], ['file:/prefix'], ['file:/all']]);
    expect(rules[0]!.policies.map((p) => `${p.section}[${p.index}]`)).toEqual(['rules[0]', 'rules[2]']);
  });

  it("puts route rules first for the requests the route takes (the seed's apples example)", () => {
    const apples: RouteResource = {
      kind: 'MeshHTTPRoute',
      name: 'backend-apple-path',
      mesh: 'default',
      targetRef: mesh,
      matches: [{ path: { type: 'PathPrefix', value: '/apples' } }],
    };
    const s = set(
      [
        policy(
          'some-logging',
          { kind: 'MeshHTTPRoute', name: 'backend-apple-path' },
          { from: [{ targetRef: mesh, default: { backends: [{ type: 'tcp', address: '127.0.0.1:5000' }] } }] },
        ),
        policy('everything', mesh, { from: [{ targetRef: mesh, default: { backends: [file('/all')] } }] }),
      ],
      { routes: [apples] },
    );
    const rules = resolveProxy(s, proxy('w', 'backend')).inbounds[0]!.rules;
    expect(rules.map((r) => r.route?.name ?? '-')).toEqual(['backend-apple-path', '-']);
    expect(shown(rules)).toEqual([['tcp:127.0.0.1:5000'], ['file:/all']]);
    const tcp = { ...proxy('t', 'backend'), inbounds: [{ port: 5432, address: '10.0.0.1', protocol: 'tcp' as const, tags: { 'kuma.io/service': 'backend' } }] };
    expect(shown(resolveProxy(s, tcp).inbounds[0]!.rules)).toEqual([['file:/all']]);
  });

  it('reports missing and ambiguous references by policy, entry and name, and leaves them out', () => {
    const ambiguous: AccessLogBackendResource[] = [
      ...backends,
      { kind: 'MeshAccessLogBackend', name: 'other', mesh: 'default', backendName: 'file-backend', backend: { type: 'file', path: '/other' } },
    ];
    const s: PolicySet = {
      policies: [policy('p', mesh, { to: [{ targetRef: mesh, default: { backends: [ref('nope'), ref('file-backend'), file('/ok')] } }] })],
      backends: ambiguous,
      routes: [],
    };
    const { listener, errors } = resolveOutbound(s, proxy('w', 'web'), { service: 'db' });
    expect(shown(listener.rules)).toEqual([['file:/ok']]);
    expect(errors).toEqual([
      'MeshAccessLog default/p spec.to[0].default.backends[0]: MeshAccessLogBackend "nope" not found in mesh "default" (by resource name or spec.name)',
      'MeshAccessLog default/p spec.to[0].default.backends[1]: MeshAccessLogBackend "file-backend" is ambiguous in mesh "default": it names file-backend (spec.name file), other (spec.name file-backend)',
    ]);
  });

  it('ignores policies of other meshes and resolves GlobalAccessLogBackend across meshes', () => {
    const global: AccessLogBackendResource = {
      kind: 'GlobalAccessLogBackend',
      name: 'central',
      mesh: '',
      backendName: 'central',
      backend: { type: 'tcp', address: 'logs:5000' },
    };
    const s: PolicySet = {
      policies: [
        policy('p', mesh, { to: [{ targetRef: mesh, default: { backends: [{ type: 'reference', kind: 'GlobalAccessLogBackend', name: 'central' }] } }] }),
        { ...policy('other-mesh', mesh, { to: [{ targetRef: mesh, default: { backends: [file('/x')] } }] }), mesh: 'other' },
      ],
      backends: [global],
      routes: [],
    };
    expect(shown(resolveOutbound(s, proxy('w', 'web'), { service: 'db' }).listener.rules)).toEqual([['tcp:logs:5000']]);
  });
});
