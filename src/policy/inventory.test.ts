import { describe, expect, it } from 'vitest';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { describeProxyConfig } from './describe-config.js';
import { discoveredProxy, findProxy, mergeInventory, proxyNotFound } from './inventory.js';
import { resolveProxy } from './resolve.js';

const ratings: ProxyIdentity = {
  nodeId: 'sidecar~10.28.0.20~ratings-v1-744894fbdb-ctvpd.bookinfo~bookinfo.svc.cluster.local',
  nodeCluster: 'ratings.bookinfo',
  logName: 'als',
  flavor: 'istio',
  proxyType: 'sidecar',
  workload: { name: 'ratings-v1', namespace: 'bookinfo', clusterName: 'remote-cluster' },
  instance: 'ratings-v1-744894fbdb-ctvpd',
  ip: '10.28.0.20',
  labels: { app: 'ratings', version: 'v1', 'service.istio.io/canonical-name': 'ratings' },
  mesh: 'cluster.local',
  apiVersion: 'v3',
};

const kumaDp: ProxyIdentity = {
  ...ratings,
  nodeId: 'default.web-1',
  flavor: 'kuma',
  proxyType: 'dataplane',
  instance: 'web-1',
  mesh: 'payments',
  labels: { 'kuma.io/service': 'web', 'kuma.io/zone': 'east' },
};

const declared: InventoryProxy = {
  id: 'payments.web-1',
  mesh: 'payments',
  name: 'web-1',
  type: 'sidecar',
  address: '10.0.0.9',
  inbounds: [{ port: 8080, address: '10.0.0.9', protocol: 'http', tags: { 'kuma.io/service': 'web' } }],
  outbounds: [{ port: 10001, service: 'db', protocol: 'tcp', tags: { 'kuma.io/service': 'db' } }],
  origin: 'Dataplane',
};

describe('inventory', () => {
  it('gives a discovered Istio sidecar Kuma tags: service from the canonical name, zone from the cluster, mesh default', () => {
    const p = discoveredProxy(ratings);
    expect(p).toMatchObject({
      id: ratings.nodeId,
      mesh: 'default',
      name: 'ratings-v1-744894fbdb-ctvpd',
      zone: 'remote-cluster',
      type: 'sidecar',
      origin: 'discovered',
    });
    expect(p.inbounds[0]!.tags).toEqual({
      app: 'ratings',
      version: 'v1',
      'service.istio.io/canonical-name': 'ratings',
      'kuma.io/service': 'ratings',
      'kuma.io/zone': 'remote-cluster',
    });
  });

  it('names a discovered Kuma dataplane MESH.NAME, and a declared Dataplane wins over it', () => {
    expect(discoveredProxy(kumaDp)).toMatchObject({ id: 'payments.web-1', mesh: 'payments', zone: 'east' });
    const all = mergeInventory([declared], [kumaDp, ratings]);
    expect(all.map((p) => `${p.id}:${p.origin}`)).toEqual(['payments.web-1:Dataplane', `${ratings.nodeId}:discovered`]);
  });

  it('finds a proxy by id, by unique name, by unique workload name', () => {
    const all = mergeInventory([declared], [ratings]);
    expect(findProxy(all, 'payments.web-1')?.name).toBe('web-1');
    expect(findProxy(all, 'web-1')?.id).toBe('payments.web-1');
    expect(findProxy(all, 'ratings-v1')?.id).toBe(ratings.nodeId);
    expect(findProxy(all, 'nope')).toBeUndefined();
    expect(proxyNotFound(all, 'nope')).toBe('no proxy "nope": not a Dataplane resource and not heard from (GET /api/v1/proxies lists them)');
  });

  it('says which proxies an ambiguous workload name names, and takes CLUSTER/NAMESPACE/NAME', () => {
    const elsewhere: ProxyIdentity = {
      ...ratings,
      nodeId: 'sidecar~10.9.0.1~ratings-v1-x.bookinfo~bookinfo.svc.cluster.local',
      instance: 'ratings-v1-x',
      workload: { ...ratings.workload, clusterName: 'mgmt-cluster' },
    };
    const all = mergeInventory([], [ratings, elsewhere]);
    expect(findProxy(all, 'ratings-v1')).toBeUndefined();
    expect(proxyNotFound(all, 'ratings-v1')).toBe(
      '"ratings-v1" names 2 proxies: remote-cluster/bookinfo/ratings-v1, mgmt-cluster/bookinfo/ratings-v1; name one of them',
    );
    expect(findProxy(all, 'mgmt-cluster/bookinfo/ratings-v1')?.id).toBe(elsewhere.nodeId);
  });

  it("describes a proxy's resolved config for inspect", () => {
    const text = describeProxyConfig(
      resolveProxy(
        {
          policies: [
            {
              name: 'p',
              mesh: 'payments',
              targetRef: { kind: 'Mesh' },
              from: [],
              to: [
                { targetRef: { kind: 'MeshService', name: 'db' }, default: { backends: [{ type: 'reference', kind: 'MeshAccessLogBackend', name: 'gone' }] } },
              ],
            },
          ],
          backends: [],
          routes: [],
        },
        declared,
      ),
    );
    expect(text).toBe(
      [
        'proxy payments.web-1  (mesh payments, sidecar, Dataplane, 10.0.0.9)',
        'inbound inbound:10.0.0.9:8080  (http, service web)',
        '  no policy applies: nothing is logged',
        'outbound outbound:db  (tcp, service db)',
        '  rule 1: all traffic',
        '    policies (merge order, last wins): p (Mesh, to[0] MeshService db)',
        '    backends: none (not logged)',
        'error: MeshAccessLog payments/p spec.to[0].default.backends[0]: MeshAccessLogBackend "gone" not found in mesh "payments" (by resource name or spec.name)',
        '',
      ].join('\n'),
    );
  });
});
