import { describe, expect, it } from 'vitest';
import { loadAlsTypes } from '../../envoy/protos.js';
import { createWireScanner } from '../../envoy/wire-scan.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { entryEdge as edgeOfFacts } from './edge.js';

const types = loadAlsTypes();
const scan = createWireScanner(types, new Set());
/** The edge of an entry as the pipeline works it out: from the wire scan of its bytes. */
const entryEdge = (identity: ProxyIdentity, entry: Record<string, unknown>, byIp: (ip: string) => ProxyIdentity | undefined) =>
  edgeOfFacts(identity, scan('http', types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject(entry)).finish()), byIp);

function istio(name: string, ip: string, cluster = 'remote-cluster'): ProxyIdentity {
  return {
    nodeId: `sidecar~${ip}~${name}-abc.bookinfo~bookinfo.svc.cluster.local`,
    nodeCluster: `${name}.bookinfo`,
    logName: 'http_envoy_accesslog',
    flavor: 'istio',
    proxyType: 'sidecar',
    workload: { name: `${name}-v1`, namespace: 'bookinfo', clusterName: cluster },
    instance: `${name}-v1-abc`,
    ip,
    labels: { app: name },
    mesh: '',
    apiVersion: 'v3',
  };
}

const productpage = istio('productpage', '10.28.0.5');
const ratings = istio('ratings', '10.28.0.9');
const byIp = (ip: string) => [productpage, ratings].find((p) => p.ip === ip);
const socket = (address: string, portValue: number) => ({ socketAddress: { address, portValue } });

describe('entryEdge', () => {
  it('names the callee of an outbound call by the proxy at the upstream address, and its service from the cluster', () => {
    const edge = entryEdge(
      productpage,
      { commonProperties: { upstreamCluster: 'outbound|9080||ratings.bookinfo.svc.cluster.local', upstreamRemoteAddress: socket('10.28.0.9', 9080) } },
      byIp,
    );
    expect(edge).toEqual({
      direction: 'outbound',
      source: { cluster: 'remote-cluster', namespace: 'bookinfo', workload: 'productpage-v1', ip: '10.28.0.5', port: null, service: null },
      destination: { cluster: 'remote-cluster', namespace: 'bookinfo', workload: 'ratings-v1', ip: '10.28.0.9', port: 9080, service: 'ratings.bookinfo' },
    });
  });

  it('keeps the service and namespace of a callee that does not report (TLS failed before any upstream)', () => {
    const edge = entryEdge(productpage, { commonProperties: { upstreamCluster: 'outbound|9080||ratings.bookinfo.svc.cluster.local' } }, byIp);
    expect(edge.destination).toEqual({ cluster: null, namespace: 'bookinfo', workload: null, ip: null, port: 9080, service: 'ratings.bookinfo' });
  });

  it('names the caller of an inbound request by its IP, else by its SPIFFE id', () => {
    const inbound = { upstreamCluster: 'inbound|9080||', downstreamLocalAddress: socket('10.28.0.9', 9080) };
    const known = entryEdge(ratings, { commonProperties: { ...inbound, downstreamRemoteAddress: socket('10.28.0.5', 50312) } }, byIp);
    expect(known.direction).toBe('inbound');
    expect(known.source).toMatchObject({ workload: 'productpage-v1', ip: '10.28.0.5', port: 50312 });
    expect(known.destination).toMatchObject({ workload: 'ratings-v1', port: 9080 });
    const tls = { peerCertificateProperties: { subjectAltName: [{ uri: 'spiffe://cluster.local/ns/shop/sa/cart' }] } };
    const stranger = entryEdge(ratings, { commonProperties: { ...inbound, downstreamRemoteAddress: socket('10.9.9.9', 1), tlsProperties: tls } }, byIp);
    expect(stranger.source).toEqual({ cluster: null, namespace: 'shop', workload: null, ip: '10.9.9.9', port: 1, service: null });
  });

  it('says nothing about an entry whose direction nothing tells', () => {
    expect(entryEdge({ ...ratings, ip: '' }, { commonProperties: {} }, byIp)).toMatchObject({
      direction: null,
      source: { workload: null },
      destination: { workload: null },
    });
  });
});
