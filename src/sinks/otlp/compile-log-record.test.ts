/**
 * The record an entry becomes for an OTLP receiver: Envoy's builtin resource attributes and
 * Kuma's (`kuma.mesh`, and `kuma.zone`, `kuma.workload` only when the proxy has them).
 */
import { describe, expect, it } from 'vitest';
import { decodeHttp, sampleHttpContext, sampleHttpObject } from '../../format/testing/sample-entries.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { compileLogRecord } from './compile-log-record.js';

const identity: ProxyIdentity = {
  nodeId: 'default.reviews-v1',
  nodeCluster: 'reviews',
  logName: 'meshlog:inbound:inbound:10.244.2.9:9080',
  flavor: 'kuma',
  proxyType: 'dataplane',
  workload: { name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'zone-1' },
  instance: 'reviews-v1',
  ip: '10.244.2.9',
  labels: {},
  mesh: 'default',
  apiVersion: 'v3',
};

describe('compileLogRecord', () => {
  it("adds Kuma's resource attributes to Envoy's, each only when known", () => {
    const entry = decodeHttp(sampleHttpObject());
    const compile = compileLogRecord({ type: 'openTelemetry', endpoint: 'otel:4317', body: '%RESPONSE_CODE%' }, 'http');
    expect(compile(entry, sampleHttpContext, identity).resource).toEqual({
      log_name: identity.logName,
      zone_name: 'zone-1',
      cluster_name: 'reviews',
      node_name: 'default.reviews-v1',
      'kuma.mesh': 'default',
      'kuma.zone': 'zone-1',
      'kuma.workload': 'reviews-v1',
    });
    const bare = { ...sampleHttpContext, proxy: { mesh: 'default' } };
    expect(compile(entry, bare, { ...identity }).resource).toEqual({
      log_name: identity.logName,
      zone_name: '',
      cluster_name: 'reviews',
      node_name: 'default.reviews-v1',
      'kuma.mesh': 'default',
    });
    expect(compile(entry, sampleHttpContext, identity).body).toEqual({ stringValue: '200' });
  });
});
