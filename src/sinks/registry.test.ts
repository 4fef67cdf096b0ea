/**
 * The registry: one key per destination, the factory picked by backend type, and validation
 * routed to the right sink, all without I/O. Every factory in the map goes through the whole
 * path a backend takes (schema, validate, normalize, key, compile) by lookup alone.
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { decodeHttp, sampleHttpContext, sampleHttpObject } from '../format/testing/sample-entries.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import {
  canonicalSinkType,
  compileRecord,
  normalizeSinkConfig,
  openSink,
  type SinkType,
  sinkDestination,
  sinkFactories,
  sinkFactory,
  sinkKey,
  sinkTypes,
  validateSinkConfig,
} from './registry.js';

describe('sink registry', () => {
  it('lists a factory for every sink backend type, under its own type name', () => {
    expect(Object.entries(sinkFactories).map(([name, f]) => [name, f.type])).toEqual([
      ['file', 'file'],
      ['tcp', 'tcp'],
      ['openTelemetry', 'openTelemetry'],
    ]);
  });

  it('keys sinks by type and destination, ignoring the format', () => {
    expect(sinkKey({ type: 'file', path: '/var/log/a.log', format: { plain: '%START_TIME%' } })).toBe(sinkKey({ type: 'file', path: '/var/log/a.log' }));
    expect(sinkKey({ type: 'tcp', address: 'logs:5000' })).toBe('tcp:logs:5000');
    expect(sinkKey({ type: 'openTelemetry', endpoint: 'otel:4317', body: 'x' })).toBe('openTelemetry:otel:4317');
  });

  it('opens the sink of the backend type without touching the destination', async () => {
    const sink = openSink({ type: 'tcp', address: '127.0.0.1:9' });
    expect([sink.type, sink.name]).toEqual(['tcp', 'tcp:127.0.0.1:9']);
    expect(sink.stats()).toMatchObject({ queued: 0, errors: 0 });
    await sink.shutdown(100);
    const file = openSink({ type: 'file', path: '/nonexistent-dir/never-created.log' });
    expect('reopen' in file).toBe(true);
    await file.shutdown(100);
  });

  it('validates with the factory of the backend type', () => {
    expect(validateSinkConfig({ type: 'tcp', address: 'nope' }, 'p')[0]?.field).toBe('p.address');
    expect(validateSinkConfig({ type: 'openTelemetry', endpoint: 'no pe' }, 'p')[0]?.field).toBe('p.endpoint');
    expect(validateSinkConfig({ type: 'file', path: '' }, 'p')[0]?.field).toBe('p.path');
  });
});

/** A valid backend of each type as a resource writes it, and where it sends entries. A new sink adds its line. */
const samples: Record<SinkType, { readonly spec: Record<string, unknown>; readonly destination: string }> = {
  file: {
    spec: { path: '/var/log/mesh/access.log', format: { json: [{ key: 'path', value: '%REQ(:PATH)%' }] } },
    destination: '/var/log/mesh/access.log',
  },
  tcp: {
    spec: { address: 'logstash.logging:5000', format: { type: 'Plain', plain: '%START_TIME% %REQ(:PATH)% %RESPONSE_CODE%' } },
    destination: 'logstash.logging:5000',
  },
  openTelemetry: {
    spec: {
      endpoint: 'otel-collector:4317',
      body: { kvlistValue: { values: [{ key: 'path', value: { stringValue: '%REQ(:PATH)%' } }] } },
      attributes: [{ key: 'mesh', value: '%KUMA_MESH%' }],
    },
    destination: 'otel-collector:4317',
  },
};

const identity: ProxyIdentity = {
  nodeId: 'reviews-v1.bookinfo',
  nodeCluster: 'reviews',
  logName: 'MeshAccessLog',
  flavor: 'kuma',
  proxyType: 'dataplane',
  workload: { name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'zone-1' },
  instance: 'reviews-v1-abc',
  ip: '10.244.2.9',
  labels: {},
  mesh: 'default',
  apiVersion: 'v3',
};

describe('every factory in the map, by lookup alone', () => {
  const entry = decodeHttp(sampleHttpObject());

  it.each(sinkTypes)('%s: schema, validate, normalize, key, compile', (type) => {
    const { spec, destination } = samples[type];
    const factory = sinkFactory(type);
    expect([canonicalSinkType(type), canonicalSinkType(factory.kumaType)]).toEqual([type, type]);
    expect(Value.Check(factory.schema, spec)).toBe(true);
    expect(factory.validate(spec, 'p')).toEqual([]);

    const config = normalizeSinkConfig(type, spec);
    expect(config.type).toBe(type);
    expect(sinkDestination(config)).toBe(destination);
    expect(sinkKey(config)).toBe(`${type}:${destination}`);
    // A normalised config is still a valid one: what the pipeline holds passes the same check.
    expect(validateSinkConfig(config, 'p')).toEqual([]);

    const record = compileRecord(config, 'http')(entry, sampleHttpContext, identity);
    expect(record).toBeTypeOf('object');
    expect(JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toContain('/reviews/0');
  });

  it('knows no type that is not in the map, in either spelling', () => {
    expect(sinkTypes).toEqual(Object.keys(sinkFactories));
    for (const name of ['store', 'reference', 'Kafka', 'toString', undefined]) expect(canonicalSinkType(name)).toBeUndefined();
  });
});
