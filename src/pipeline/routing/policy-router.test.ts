import { describe, expect, it } from 'vitest';
import type { MeshAccessLogPolicy } from '../../api/mesh-access-log/model.js';
import { decodeHttp, socket } from '../../format/testing/sample-entries.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import type { PolicySet } from '../../policy/types.js';
import { parseClusterName } from './cluster-names.js';
import { parseSpiffe } from './peer-identity.js';
import { createPolicyRouter } from './policy-router.js';

function istio(app: string, ip: string, extra: Partial<ProxyIdentity> = {}): ProxyIdentity {
  return {
    nodeId: `sidecar~${ip}~${app}-v1-5d9f.bookinfo~bookinfo.svc.cluster.local`,
    nodeCluster: `${app}.bookinfo`,
    logName: 'als',
    flavor: 'istio',
    proxyType: 'sidecar',
    workload: { name: `${app}-v1`, namespace: 'bookinfo', clusterName: 'mgmt-cluster' },
    instance: `${app}-v1-5d9f`,
    ip,
    labels: { app, version: 'v1' },
    mesh: '',
    apiVersion: 'v3',
    ...extra,
  };
}

const productpage = istio('productpage', '10.0.0.5');
const reviews = istio('reviews', '10.0.0.7');

function entry(options: { cluster: string; local: [string, number]; remote?: [string, number]; path?: string; status?: number; sans?: string[] }) {
  return decodeHttp({
    commonProperties: {
      upstreamCluster: options.cluster,
      downstreamLocalAddress: socket(...options.local),
      ...(options.remote ? { downstreamRemoteAddress: socket(...options.remote), downstreamDirectRemoteAddress: socket(...options.remote) } : {}),
      upstreamRemoteAddress: socket('10.0.0.7', 9080),
      ...(options.sans ? { tlsProperties: { peerCertificateProperties: { subjectAltName: options.sans.map((uri) => ({ uri })) } } } : {}),
    },
    request: { requestMethod: 1, path: options.path ?? '/reviews/1', authority: 'reviews:9080' },
    response: { responseCode: { value: options.status ?? 200 } },
  });
}

const policies: MeshAccessLogPolicy[] = [
  {
    name: 'reviews-in',
    mesh: 'default',
    targetRef: { kind: 'MeshService', name: 'reviews' },
    from: [
      { targetRef: { kind: 'MeshService', name: 'productpage' }, default: { backends: [{ type: 'file', path: '/pp' }] } },
      {
        targetRef: { kind: 'Mesh' },
        default: { backends: [{ type: 'file', path: '/all' }], filtering: { headers: { ':status': { op: 'ge', value: '500' } } } },
      },
    ],
    to: [],
  },
  {
    name: 'pp-out',
    mesh: 'default',
    targetRef: { kind: 'MeshService', name: 'productpage' },
    from: [],
    to: [{ targetRef: { kind: 'MeshService', name: 'reviews' }, default: { backends: [{ type: 'tcp', address: '127.0.0.1:5000' }] } }],
  },
];
const set: PolicySet = { policies, backends: [], routes: [] };

describe('cluster names and peer identities', () => {
  it.each([
    ['inbound|9080||', { direction: 'inbound', port: 9080 }],
    [
      'outbound|9080|v1|reviews.bookinfo.svc.cluster.local',
      { direction: 'outbound', port: 9080, subset: 'v1', host: 'reviews.bookinfo.svc.cluster.local', service: 'reviews' },
    ],
    ['InboundPassthroughClusterIpv4', { direction: 'inbound' }],
    ['PassthroughCluster', { direction: 'outbound' }],
    ['localhost:8080', { direction: 'inbound', port: 8080 }],
    [
      'kri_msvc_default_zone-1_kuma-demo_backend_http',
      { direction: 'outbound', service: 'backend', kind: 'MeshService', namespace: 'kuma-demo', section: 'http' },
    ],
    [
      'kri_extsvc_default__kuma-system_httpbin_443',
      { direction: 'outbound', service: 'httpbin', kind: 'MeshExternalService', namespace: 'kuma-system', section: '443', port: 443 },
    ],
    ['kri_mzsvc_default___backend_', { direction: 'outbound', service: 'backend', kind: 'MeshMultiZoneService' }],
  ])('%s', (name, expected) => expect(parseClusterName(name)).toEqual(expected));

  it('reads Kuma and Istio SPIFFE IDs', () => {
    expect(parseSpiffe('spiffe://default/web')).toEqual({ uri: 'spiffe://default/web', trustDomain: 'default', service: 'web' });
    expect(parseSpiffe('spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage')).toMatchObject({ namespace: 'bookinfo', service: 'bookinfo-productpage' });
    expect(parseSpiffe('https://x')).toBeUndefined();
  });
});

describe('policy router', () => {
  const router = createPolicyRouter({ proxyByIp: (ip) => (ip === productpage.ip ? productpage : undefined) });
  router.setPolicies(set, []);

  it('names the caller of inbound traffic from the proxy with its IP, and applies the rule for it, merged with the Mesh entry', () => {
    // The Mesh entry's filtering (:status >= 500) is part of the productpage rule too: Mesh contains productpage.
    expect(router.route(reviews, 'http', entry({ cluster: 'inbound|9080||', local: ['10.0.0.7', 9080], remote: ['10.0.0.5', 40000] }))).toBeNull();
    const routed = router.route(reviews, 'http', entry({ cluster: 'inbound|9080||', local: ['10.0.0.7', 9080], remote: ['10.0.0.5', 40000], status: 502 }));
    expect(routed?.rule.backends).toMatchObject([{ type: 'file', path: '/pp' }]);
    expect(routed?.context).toMatchObject({
      direction: 'inbound',
      proxy: { service: 'reviews', mesh: 'default', zone: 'mgmt-cluster' },
      peer: { service: 'productpage', address: '10.0.0.5:40000' },
    });
  });

  it('falls back to the SPIFFE ID, then to the Mesh rule and its filtering', () => {
    const bySpiffe = router.route(
      reviews,
      'http',
      entry({ cluster: 'inbound|9080||', local: ['10.0.0.7', 9080], remote: ['10.9.9.9', 1], sans: ['spiffe://default/productpage'], status: 500 }),
    );
    expect(bySpiffe?.rule.backends).toMatchObject([{ path: '/pp' }]);
    const unknownOk = entry({ cluster: 'inbound|9080||', local: ['10.0.0.7', 9080], remote: ['10.9.9.9', 1] });
    expect(router.route(reviews, 'http', unknownOk)).toBeNull();
    const unknownFailed = entry({ cluster: 'inbound|9080||', local: ['10.0.0.7', 9080], remote: ['10.9.9.9', 1], status: 503 });
    expect(router.route(reviews, 'http', unknownFailed)?.rule.backends).toMatchObject([{ path: '/all' }]);
  });

  it('routes outbound traffic by the destination in the cluster name', () => {
    const routed = router.route(productpage, 'http', entry({ cluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local', local: ['10.96.0.10', 9080] }));
    expect(routed?.rule.backends).toMatchObject([{ type: 'tcp', address: '127.0.0.1:5000' }]);
    expect(routed?.context).toMatchObject({ direction: 'outbound', proxy: { service: 'productpage' }, peer: { service: 'reviews', address: '10.0.0.7:9080' } });
    expect(router.route(productpage, 'http', entry({ cluster: 'outbound|9080||ratings.bookinfo.svc.cluster.local', local: ['10.96.0.11', 9080] }))).toBeNull();
  });

  it('tells direction from addresses when the cluster name does not, and from meshlog log names first', () => {
    const byAddress = router.route(productpage, 'http', entry({ cluster: 'reviews', local: ['10.96.0.10', 9080] }));
    expect(byAddress?.context.direction).toBe('outbound');
    const named = { ...reviews, logName: 'meshlog:inbound:inbound:10.0.0.7:9080' };
    expect(
      router.route(named, 'http', entry({ cluster: 'whatever', local: ['10.96.0.10', 9080], remote: ['10.0.0.5', 1], status: 500 }))?.context.direction,
    ).toBe('inbound');
  });

  it('does nothing while there are no policies', () => {
    const empty = createPolicyRouter();
    expect(empty.empty).toBe(true);
    expect(empty.route(reviews, 'http', entry({ cluster: 'inbound|9080||', local: ['10.0.0.7', 9080] }))).toBeNull();
  });
});
