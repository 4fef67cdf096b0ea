import { describe, expect, it } from 'vitest';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import { loadAlsTypes } from '../envoy/protos.js';
import { createWireScanner } from '../envoy/wire-scan.js';
import type { DecodedEntry } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { compileRecords, type EntryView } from './access-log-records.js';

const types = loadAlsTypes();

function proxy(name: string, labels: Record<string, string>, namespace = 'bookinfo', clusterName = 'mgmt-cluster'): ProxyIdentity {
  return {
    nodeId: `sidecar~10.0.0.1~${name}-abc.${namespace}~${namespace}.svc.cluster.local`,
    nodeCluster: '',
    logName: 'http_envoy_accesslog',
    flavor: 'istio',
    proxyType: 'sidecar',
    workload: { name, namespace, clusterName },
    instance: `${name}-abc`,
    ip: '10.0.0.1',
    labels,
    mesh: '',
    apiVersion: 'v3',
  };
}

const scan = createWireScanner(types, new Set());

/**
 * An entry as the pipeline offers it to records: its status from the wire scan, and the entry
 * decoded the way the collector decodes it (so prototype defaults are as in production).
 */
function entry(code: number | null, headers: Record<string, string> = {}, path = '/reviews/1'): EntryView {
  const object = { request: { path, requestHeaders: headers, userAgent: 'curl/7.52.1' }, response: code === null ? {} : { responseCode: { value: code } } };
  const bytes = types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject(object)).finish();
  return { status: scan('http', bytes).status, entry: () => types.HTTPAccessLogEntry.decode(bytes) as unknown as DecodedEntry };
}

const record = (spec: AccessLogRecordLike['spec'], name = 'r'): AccessLogRecordLike => ({ name, namespace: 'gloo-mesh', spec });

const reviews = proxy('reviews-v1', { app: 'reviews', version: 'v1' });
const ratingsRemote = proxy('ratings-v1', { app: 'ratings', version: 'v1' }, 'bookinfo', 'remote-cluster');

describe('AccessLogRecord selection', () => {
  it('collects nothing without records', () => {
    expect(compileRecords([]).forProxy(reviews).none).toBe(true);
  });

  it('selects every workload when workloadSelectors is empty, and OR-s selectors', () => {
    const all = compileRecords([record({})]);
    expect(all.forProxy(reviews).none).toBe(false);
    const some = compileRecords([
      record({
        workloadSelectors: [
          { kubeWorkloadMatcher: { labels: { app: 'reviews' }, clusters: ['remote-cluster'] } },
          { kubeWorkloadMatcher: { labels: { app: 'ratings' } } },
        ],
      }),
    ]);
    // app=reviews but in mgmt-cluster: the first matcher's fields are AND-ed, so no.
    expect(some.forProxy(reviews).none).toBe(true);
    expect(some.forProxy(ratingsRemote).none).toBe(false);
  });

  it('requires every label of a matcher and one of its namespaces', () => {
    const m = compileRecords([record({ workloadSelectors: [{ kubeWorkloadMatcher: { labels: { app: 'reviews', version: 'v2' } } }] })]);
    expect(m.forProxy(reviews).none).toBe(true);
    const ns = compileRecords([record({ workloadSelectors: [{ kubeWorkloadMatcher: { namespaces: ['other', 'bookinfo'] } }] })]);
    expect(ns.forProxy(reviews).none).toBe(false);
  });
});

describe('AccessLogRecord filters', () => {
  const matches = (spec: AccessLogRecordLike['spec'], e: EntryView) =>
    compileRecords([record(spec)])
      .forProxy(reviews)
      .match(e) !== null;

  it('matches the seed’s header filter (foo: bar) and nothing else', () => {
    const spec = { filters: [{ headerMatcher: { name: 'foo', value: 'bar' } }] };
    expect(matches(spec, entry(200, { foo: 'bar' }))).toBe(true);
    expect(matches(spec, entry(200, { foo: 'baz' }))).toBe(false);
    expect(matches(spec, entry(200))).toBe(false);
  });

  it('compares status codes with EQ, GE and LE, and never matches an entry without a response code', () => {
    expect(matches({ filters: [{ statusCodeMatcher: { value: 503 } }] }, entry(503))).toBe(true);
    expect(matches({ filters: [{ statusCodeMatcher: { value: 500, comparator: 'GE' } }] }, entry(503))).toBe(true);
    expect(matches({ filters: [{ statusCodeMatcher: { value: 500, comparator: 'GE' } }] }, entry(404))).toBe(false);
    expect(matches({ filters: [{ statusCodeMatcher: { value: 299, comparator: 'LE' } }] }, entry(200))).toBe(true);
    expect(matches({ filters: [{ statusCodeMatcher: { value: 200, comparator: 'LE' } }] }, entry(null))).toBe(false);
  });

  it('ORs filters, matches header presence, regex (whole value) and inverted matches', () => {
    const either = { filters: [{ statusCodeMatcher: { value: 500, comparator: 'GE' as const } }, { headerMatcher: { name: 'foo', value: 'bar' } }] };
    expect(matches(either, entry(200, { foo: 'bar' }))).toBe(true);
    expect(matches(either, entry(502))).toBe(true);
    expect(matches(either, entry(200))).toBe(false);
    expect(matches({ filters: [{ headerMatcher: { name: 'foo' } }] }, entry(200, { foo: 'x' }))).toBe(true);
    expect(matches({ filters: [{ headerMatcher: { name: ':path', value: '/reviews/\\d+', regex: true } }] }, entry(200))).toBe(true);
    expect(matches({ filters: [{ headerMatcher: { name: ':path', value: '/reviews', regex: true } }] }, entry(200))).toBe(false);
    expect(matches({ filters: [{ headerMatcher: { name: 'foo', invertMatch: true } }] }, entry(200))).toBe(true);
    expect(matches({ filters: [{ headerMatcher: { name: 'foo', invertMatch: true } }] }, entry(200, { foo: 'bar' }))).toBe(false);
    expect(matches({ filters: [{ headerMatcher: { name: 'User-Agent', value: 'curl/7.52.1' } }] }, entry(200))).toBe(true);
  });

  it('reports every record that asked for an entry, for header redaction', () => {
    const m = compileRecords([
      record({ includedRequestHeaders: ['Authorization'] }, 'a'),
      record({ filters: [{ statusCodeMatcher: { value: 404 } }] }, 'b'),
      record({}, 'c'),
    ]);
    const matched = m.forProxy(reviews).match(entry(200));
    expect(matched?.map((r) => r.source.name)).toEqual(['a', 'c']);
    expect([...matched![0]!.includedHeaders]).toEqual(['authorization']);
  });
});
