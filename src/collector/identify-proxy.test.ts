import { describe, expect, it } from 'vitest';
import { loadAlsTypes } from '../envoy/protos.js';
import { type DecodedIdentifier, identifyProxy, workloadFromOwner, workloadFromPodName } from './identify-proxy.js';

/** Builds an identifier the way it arrives: encoded by a client, decoded by protobufjs. */
function identifier(node: Record<string, unknown>, logName = 'http_envoy_accesslog'): DecodedIdentifier {
  const { Identifier } = loadAlsTypes();
  const bytes = Identifier.encode(Identifier.fromObject({ node, logName })).finish();
  return Identifier.decode(bytes) as DecodedIdentifier;
}

function struct(fields: Record<string, unknown>): Record<string, unknown> {
  const value = (v: unknown): Record<string, unknown> =>
    typeof v === 'string'
      ? { stringValue: v }
      : typeof v === 'number'
        ? { numberValue: v }
        : Array.isArray(v)
          ? { listValue: { values: v.map(value) } }
          : { structValue: struct(v as Record<string, unknown>) };
  return { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, value(v)])) };
}

describe('identifyProxy', () => {
  it('reads an Istio sidecar with GLOO_MESH_CLUSTER_NAME under PROXY_CONFIG.proxyMetadata', () => {
    const id = identifyProxy(
      identifier({
        id: 'sidecar~10.28.0.20~ratings-v1-744894fbdb-ctvpd.bookinfo~bookinfo.svc.cluster.local',
        cluster: 'ratings.bookinfo',
        metadata: struct({
          NAME: 'ratings-v1-744894fbdb-ctvpd',
          NAMESPACE: 'bookinfo',
          LABELS: { app: 'ratings', version: 'v1', 'pod-template-hash': '744894fbdb' },
          OWNER: 'kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/ratings-v1',
          WORKLOAD_NAME: 'ratings-v1',
          CLUSTER_ID: 'Kubernetes',
          ISTIO_VERSION: '1.24.0',
          PROXY_CONFIG: { proxyMetadata: { GLOO_MESH_CLUSTER_NAME: 'mgmt-cluster' } },
        }),
      }),
      'v3',
    );
    expect(id).toMatchObject({
      flavor: 'istio',
      proxyType: 'sidecar',
      workload: { name: 'ratings-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' },
      instance: 'ratings-v1-744894fbdb-ctvpd',
      ip: '10.28.0.20',
      labels: { app: 'ratings', version: 'v1' },
      logName: 'http_envoy_accesslog',
      apiVersion: 'v3',
    });
    expect(id.labels).not.toHaveProperty('pod-template-hash');
  });

  it('takes a top-level GLOO_MESH_CLUSTER_NAME before CLUSTER_ID', () => {
    const id = identifyProxy(
      identifier({
        id: 'sidecar~10.1.0.5~reviews-v3-5f7b9f4f6b-x2lkq.bookinfo~bookinfo.svc.cluster.local',
        metadata: struct({ GLOO_MESH_CLUSTER_NAME: 'remote-cluster', CLUSTER_ID: 'Kubernetes', ISTIO_VERSION: '1.24.0' }),
      }),
      'v3',
    );
    expect(id.workload).toEqual({ name: 'reviews-v3', namespace: 'bookinfo', clusterName: 'remote-cluster' });
  });

  it('falls back to CLUSTER_ID, then the pod name, for a sidecar without Gloo metadata', () => {
    const id = identifyProxy(
      identifier({ id: 'sidecar~10.1.0.9~details-v1-79f774bdb9-zm8vd.shop~shop.svc.cluster.local', metadata: struct({ CLUSTER_ID: 'east' }) }),
      'v3',
    );
    expect(id.workload).toEqual({ name: 'details-v1', namespace: 'shop', clusterName: 'east' });
  });

  it('reads a gateway (router~)', () => {
    const id = identifyProxy(identifier({ id: 'router~10.1.0.2~istio-ingressgateway-6b9c8bfd7c-4jxq2.istio-system~istio-system.svc.cluster.local' }), 'v3');
    expect(id).toMatchObject({ flavor: 'istio', proxyType: 'router', workload: { name: 'istio-ingressgateway', namespace: 'istio-system' } });
  });

  it('reads a Kuma dataplane on Kubernetes from its dataplane.resource', () => {
    const dataplane = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'backend-5f8d9c6d4-abcde.kuma-demo',
      networking: {
        address: '10.42.0.7',
        inbound: [
          {
            port: 3001,
            tags: {
              'kuma.io/service': 'backend_kuma-demo_svc_3001',
              'kuma.io/zone': 'zone-1',
              'k8s.kuma.io/namespace': 'kuma-demo',
              app: 'backend',
              version: 'v1',
            },
          },
        ],
      },
    };
    const id = identifyProxy(
      identifier({
        id: 'default.backend-5f8d9c6d4-abcde.kuma-demo',
        cluster: 'backend_kuma-demo_svc_3001',
        metadata: struct({ 'dataplane.resource': JSON.stringify(dataplane), version: { kumaDp: { version: '2.9.0' } } }),
      }),
      'v3',
    );
    expect(id).toMatchObject({
      flavor: 'kuma',
      proxyType: 'dataplane',
      mesh: 'default',
      instance: 'backend-5f8d9c6d4-abcde',
      ip: '10.42.0.7',
      workload: { name: 'backend', namespace: 'kuma-demo', clusterName: 'zone-1' },
    });
    expect(id.labels['kuma.io/service']).toBe('backend_kuma-demo_svc_3001');
  });

  it('reads a universal Kuma dataplane whose resource is unreadable, keeping what is known', () => {
    const id = identifyProxy(
      identifier({ id: 'default.web-01', cluster: 'web', metadata: struct({ 'dataplane.resource': '{not json', 'dataplane.admin.port': '9901' }) }),
      'v3',
    );
    expect(id).toMatchObject({ flavor: 'kuma', mesh: 'default', instance: 'web-01', workload: { name: 'web', namespace: '', clusterName: '' } });
  });

  it('reads plain Envoy by id and cluster', () => {
    const id = identifyProxy(identifier({ id: 'edge-proxy-1', cluster: 'edge' }), 'v2');
    expect(id).toMatchObject({ flavor: 'envoy', workload: { name: 'edge', namespace: '', clusterName: '' }, instance: 'edge-proxy-1', apiVersion: 'v2' });
  });

  it('gives an identity even for an empty node', () => {
    const id = identifyProxy({ node: {} }, 'v3');
    expect(id.workload.name).toBe('unknown');
  });
});

describe('workload names', () => {
  it.each([
    ['ratings-v1-744894fbdb-ctvpd', 'ratings-v1'],
    ['fluentd-x7k2p', 'fluentd'],
    ['web-0', 'web'],
    ['standalone', undefined],
  ])('pod %s belongs to %s', (pod, workload) => {
    expect(workloadFromPodName(pod)).toBe(workload);
  });

  it('reads the controller from OWNER, but not a bare pod', () => {
    expect(workloadFromOwner('kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/ratings-v1')).toBe('ratings-v1');
    expect(workloadFromOwner('kubernetes://apis/v1/namespaces/bookinfo/pods/debug')).toBeUndefined();
  });
});
