/**
 * The otlp sink against real receivers on loopback: gRPC `LogsService/Export` and OTLP/HTTP, both
 * decoding with the shipped protos. Records are built with `compileOtelTemplate` from the
 * formatter's sample entry, so the receiver sees what a policy's body and attributes produce.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHttp, sampleHttpContext, sampleHttpObject } from '../../format/testing/sample-entries.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { until } from '../testing/until.js';
import { type OtlpSink, type OtlpSinkOptions, otlpSinkFactory } from './index.js';
import { compileOtelTemplate, type OtelTemplate } from './otel-template.js';
import { builtinResource, entryTimeUnixNano, type OtelLogRecord } from './otel-types.js';
import { type Receiver, startGrpcReceiver, startHttpReceiver } from './testing/otlp-test-receivers.js';

const entry = decodeHttp(sampleHttpObject());
const compiled = compileOtelTemplate(
  {
    kvlistValue: {
      values: [
        { key: 'path', value: { stringValue: '%REQ(:PATH)%' } },
        { key: 'code', value: { stringValue: '%RESPONSE_CODE%' } },
      ],
    },
  },
  [{ key: 'method', value: '%REQ(:METHOD)%' }],
  { path: 'openTelemetry' },
);
if (!compiled.ok) throw new Error('the test template does not compile');
const template: OtelTemplate = compiled;

const reviews = builtinResource(
  { logName: 'MeshAccessLog', zoneName: 'zone-1', clusterName: 'reviews', nodeName: 'reviews-v1.bookinfo' },
  { 'kuma.mesh': 'default' },
);
const ratings = builtinResource(
  { logName: 'MeshAccessLog', zoneName: 'zone-1', clusterName: 'ratings', nodeName: 'ratings-v1.bookinfo' },
  { 'kuma.mesh': 'default' },
);

function record(resource: Record<string, string>): OtelLogRecord {
  return { timeUnixNano: entryTimeUnixNano(entry), ...template.render(entry, sampleHttpContext), resource: { ...resource } };
}

const str = (stringValue: string) => ({ stringValue });
const expectedRecord = {
  timeUnixNano: '1460751420310123456',
  body: {
    kvlistValue: {
      values: [
        { key: 'path', value: str('/reviews/0?x=1') },
        { key: 'code', value: str('200') },
      ],
    },
  },
  attributes: [{ key: 'method', value: str('POST') }],
};
const resourceAttributes = (r: Record<string, string>) => Object.entries(r).map(([key, value]) => ({ key, value: str(value) }));

const receivers: Receiver[] = [];
const sinks: OtlpSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.shutdown(500)));
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

function sinkTo(endpoint: string, options: Partial<OtlpSinkOptions> = {}): OtlpSink {
  const sink = otlpSinkFactory.create(
    { type: 'openTelemetry', endpoint },
    { metrics: createMetrics() },
    {
      flushIntervalMs: 5,
      retry: { initialMs: 10, maxMs: 100, multiplier: 2, jitter: 0 },
      timeoutMs: 2_000,
      ...options,
    },
  );
  sinks.push(sink);
  return sink;
}

describe('otlp sink over gRPC', () => {
  it('exports one request per batch with records grouped by resource, as Envoy does', async () => {
    const receiver = await startGrpcReceiver();
    receivers.push(receiver);
    const sink = sinkTo(receiver.address);
    // Equal resources in distinct objects still share a ResourceLogs.
    sink.push([record(reviews), record(ratings), record(reviews)]);
    expect(await sink.flush()).toBe(true);
    expect(receiver.received).toHaveLength(1);
    const { resourceLogs } = receiver.received[0]!.request;
    expect(resourceLogs).toEqual([
      { resource: { attributes: resourceAttributes(reviews) }, scopeLogs: [{ logRecords: [expectedRecord, expectedRecord] }] },
      { resource: { attributes: resourceAttributes(ratings) }, scopeLogs: [{ logRecords: [expectedRecord] }] },
    ]);
    expect(resourceAttributes(reviews).map((a) => a.key)).toEqual(['log_name', 'zone_name', 'cluster_name', 'node_name', 'kuma.mesh']);
  });

  it('retries UNAVAILABLE with backoff and delivers the same batch', async () => {
    const receiver = await startGrpcReceiver();
    receivers.push(receiver);
    receiver.answers.push(grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE);
    const sink = sinkTo(receiver.address);
    sink.push([record(reviews), record(reviews)]);
    await until(() => sink.stats().sent === 2);
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received.map((r) => r.request)).toEqual([0, 1, 2].map(() => receiver.received[0]!.request));
    expect(sink.stats()).toMatchObject({ errors: 2, retries: 2, dropped: { permanent: 0 } });
  });

  it('drops and counts a batch refused with INVALID_ARGUMENT, without retrying it', async () => {
    const receiver = await startGrpcReceiver();
    receivers.push(receiver);
    receiver.answers.push(grpc.status.INVALID_ARGUMENT);
    const sink = sinkTo(receiver.address);
    sink.push([record(reviews)]);
    expect(await sink.flush()).toBe(true);
    sink.push([record(ratings)]);
    expect(await sink.flush()).toBe(true);
    expect(receiver.received).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ sent: 1, errors: 1, retries: 0, dropped: { permanent: 1 } });
    expect(sink.stats().lastError).toMatch(/INVALID_ARGUMENT/);
  });

  it('holds records while the receiver is down and delivers them once it is up', async () => {
    const probe = await startGrpcReceiver();
    const port = Number(probe.address.split(':')[1]);
    await probe.stop();
    const sink = sinkTo(probe.address);
    sink.push([record(reviews)]);
    await until(() => sink.stats().errors >= 2);
    expect(sink.stats().lastError).toMatch(/UNAVAILABLE/);
    const receiver = await startGrpcReceiver(port);
    receivers.push(receiver);
    await until(() => sink.stats().sent === 1);
    expect(receiver.received[0]!.request.resourceLogs![0]!.scopeLogs![0]!.logRecords).toEqual([expectedRecord]);
  });

  it('shutdown exports what is queued', async () => {
    const receiver = await startGrpcReceiver();
    receivers.push(receiver);
    const sink = sinkTo(receiver.address, { flushIntervalMs: 60_000 });
    sink.push([record(reviews)]);
    await sink.shutdown(2_000);
    expect(receiver.received).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ sent: 1, queued: 0 });
  });
});

describe('otlp sink over HTTP', () => {
  it('POSTs protobuf to /v1/logs by default, and to the path a URL has', async () => {
    const receiver = await startHttpReceiver();
    receivers.push(receiver);
    const sink = sinkTo(receiver.address);
    sink.push([record(reviews), record(ratings)]);
    expect(await sink.flush()).toBe(true);
    const custom = sinkTo(`${receiver.address}/otel/ingest/logs`);
    custom.push([record(ratings)]);
    expect(await custom.flush()).toBe(true);

    expect(receiver.received.map((r) => [r.path, r.contentType])).toEqual([
      ['/v1/logs', 'application/x-protobuf'],
      ['/otel/ingest/logs', 'application/x-protobuf'],
    ]);
    expect(receiver.received[0]!.request.resourceLogs).toEqual([
      { resource: { attributes: resourceAttributes(reviews) }, scopeLogs: [{ logRecords: [expectedRecord] }] },
      { resource: { attributes: resourceAttributes(ratings) }, scopeLogs: [{ logRecords: [expectedRecord] }] },
    ]);
  });

  it('retries 503 and 429, drops a 400', async () => {
    const receiver = await startHttpReceiver();
    receivers.push(receiver);
    receiver.answers.push(503, 429);
    const sink = sinkTo(receiver.address);
    sink.push([record(reviews)]);
    await until(() => sink.stats().sent === 1);
    expect(receiver.received).toHaveLength(3);
    expect(sink.stats()).toMatchObject({ errors: 2, retries: 2 });

    receiver.answers.push(400);
    sink.push([record(ratings)]);
    expect(await sink.flush()).toBe(true);
    expect(receiver.received).toHaveLength(4);
    expect(sink.stats()).toMatchObject({ sent: 1, dropped: { permanent: 1 } });
    expect(sink.stats().lastError).toMatch(/answered 400/);
  });
});

describe('otlpSinkFactory.validate', () => {
  it('takes host:port, a bare host (port 4317, as Kuma) and http(s) URLs, and names what is wrong otherwise', () => {
    const check = (raw: Record<string, unknown>) => otlpSinkFactory.validate(raw, 'b').map((v) => `${v.field}: ${v.message}`);
    const endpoint = (e: string) => check({ type: 'openTelemetry', endpoint: e });
    expect(endpoint('otel-collector.observability:4317')).toEqual([]);
    expect(endpoint('https://otel.example.com:4318')).toEqual([]);
    expect(endpoint('otel-collector')).toEqual([]);
    expect(endpoint('otel collector')).toEqual(['b.endpoint: must be host[:port] (OTLP/gRPC) or an http(s):// URL (OTLP/HTTP), not "otel collector"']);
    expect(endpoint('http://[bad')).toEqual(['b.endpoint: must be host[:port] (OTLP/gRPC) or an http(s):// URL (OTLP/HTTP), not "http://[bad"']);
  });

  it('takes exactly one of endpoint and backendRef, and a backendRef by name or by labels', () => {
    const check = (raw: Record<string, unknown>) => otlpSinkFactory.validate(raw, 'b').map((v) => `${v.field}: ${v.message}`);
    const ref = (r: Record<string, unknown>) => ({ kind: 'MeshOpenTelemetryBackend', ...r });
    expect(check({ backendRef: ref({ name: 'main' }) })).toEqual([]);
    expect(check({ backendRef: ref({ labels: { app: 'otel' } }) })).toEqual([]);
    expect(check({ endpoint: '' })).toEqual(['b: openTelemetry must have exactly one defined: endpoint, backendRef']);
    expect(check({ endpoint: 'otel:4317', backendRef: ref({ name: 'main' }) })).toEqual([
      'b: openTelemetry must have only one type defined: endpoint, backendRef',
    ]);
    expect(check({ backendRef: ref({}) })).toEqual(['b.backendRef: backendRef must have exactly one defined: name, labels']);
    expect(check({ backendRef: ref({ name: 'main', labels: { app: 'otel' } }) })).toEqual([
      'b.backendRef: backendRef must have exactly one defined: name, labels',
    ]);
  });
});
