/**
 * The otlp sink over TLS, as a MeshOpenTelemetryBackend's `tls` asks: OTLP/gRPC and OTLP/HTTPS to
 * loopback receivers with certificates made for this run, with a client certificate where the
 * receiver asks for one; a receiver the settings do not trust, or a CA file that is not there,
 * is a delivery error the sink reports, not a crash.
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../telemetry/metrics.js';
import { until } from '../testing/until.js';
import type { OtlpTls } from './destination.js';
import { type OtlpSink, otlpSinkFactory } from './index.js';
import type { OtelLogRecord } from './otel-types.js';
import { makeTestCerts, type Receiver, startGrpcReceiver, startHttpReceiver, type TestCerts } from './testing/otlp-test-receivers.js';

const record: OtelLogRecord = { timeUnixNano: '1', body: { stringValue: 'GET /' }, attributes: [], resource: { 'kuma.mesh': 'default' } };

let testCerts: TestCerts;
beforeAll(async () => {
  testCerts = await makeTestCerts();
});
afterAll(() => rmSync(testCerts.dir, { recursive: true, force: true }));

const receivers: Receiver[] = [];
const sinks: OtlpSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.shutdown(500)));
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

function sinkTo(endpoint: string, tls: OtlpTls): OtlpSink {
  const sink = otlpSinkFactory.create(
    { type: 'openTelemetry', endpoint, tls },
    { metrics: createMetrics() },
    {
      flushIntervalMs: 5,
      retry: { initialMs: 10, maxMs: 50, multiplier: 2, jitter: 0 },
      timeoutMs: 2_000,
    },
  );
  sinks.push(sink);
  return sink;
}

const port = (address: string) => address.slice(address.lastIndexOf(':') + 1);

describe('otlp sink over TLS', () => {
  it('exports over gRPC to a receiver the CA file vouches for, by the server name it asks for', async () => {
    const receiver = await startGrpcReceiver(0, { certs: testCerts });
    receivers.push(receiver);
    const sink = sinkTo(receiver.address, { caFile: testCerts.ca, serverName: 'otel.test' });
    expect(sink.destination).toBe(`${receiver.address} (tls, ca ${testCerts.ca}, server name otel.test)`);
    sink.push([record]);
    expect(await sink.flush()).toBe(true);
    expect(receiver.received).toHaveLength(1);
  });

  it('presents the client certificate to a gRPC receiver that asks for one', async () => {
    const receiver = await startGrpcReceiver(0, { certs: testCerts, requireClientCert: true });
    receivers.push(receiver);
    const sink = sinkTo(`localhost:${port(receiver.address)}`, { caFile: testCerts.ca, certFile: testCerts.clientCert, keyFile: testCerts.clientKey });
    sink.push([record]);
    expect(await sink.flush()).toBe(true);
    expect(receiver.received).toHaveLength(1);
  });

  it('exports over HTTPS with the CA file, or without verifying when told to', async () => {
    const receiver = await startHttpReceiver(0, { certs: testCerts, requireClientCert: true });
    receivers.push(receiver);
    const verified = sinkTo(receiver.address, { caFile: testCerts.ca, certFile: testCerts.clientCert, keyFile: testCerts.clientKey });
    verified.push([record]);
    expect(await verified.flush()).toBe(true);
    const unverified = sinkTo(receiver.address, { insecureSkipVerify: true, certFile: testCerts.clientCert, keyFile: testCerts.clientKey });
    unverified.push([record]);
    expect(await unverified.flush()).toBe(true);
    expect(receiver.received.map((r) => r.path)).toEqual(['/v1/logs', '/v1/logs']);
  });

  it('does not deliver to a receiver it cannot trust, nor without its CA file, and says why', async () => {
    const receiver = await startHttpReceiver(0, { certs: testCerts });
    receivers.push(receiver);
    const untrusted = sinkTo(receiver.address, { serverName: 'otel.test' });
    untrusted.push([record]);
    await until(() => untrusted.stats().lastError !== undefined);
    expect(untrusted.stats().lastError).toMatch(/certificate/i);
    const missing = sinkTo(receiver.address, { caFile: '/nonexistent/ca.pem' });
    missing.push([record]);
    await until(() => missing.stats().lastError !== undefined);
    expect(missing.stats().lastError).toMatch(/cannot read the OpenTelemetry backend's CA file \/nonexistent\/ca\.pem/);
    expect(receiver.received).toHaveLength(0);
  });
});
