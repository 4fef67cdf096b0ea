/**
 * Bad input never crashes the collector and never loses accepted entries: each bad stream gets a
 * gRPC error and a counter goes up, while other streams keep being served.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { loadAlsTypes } from '../envoy/protos.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const collectAll = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: everything, namespace: gloo-mesh}
spec: {}
`;

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || (l.startsWith(`${name}{`) && l.includes('} ')));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function storedPaths(base: string): Promise<string[]> {
  const body = (await (await fetch(`${base}/api/v1/logs?limit=1000`)).json()) as { items: Array<{ httpAccessLog: { request: { path: string } } }> };
  return body.items.map((i) => i.httpAccessLog.request.path).sort();
}

describe('bad ALS input', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;
  let als: ReturnType<typeof createAlsClient>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-bad-'));
    server = await runServer({
      dataDir,
      alsHost: '127.0.0.1',
      alsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
      maxStreams: 4,
      maxMessageBytes: 64 * 1024,
    });
    base = `http://127.0.0.1:${server.httpPort}`;
    als = createAlsClient(`127.0.0.1:${server.alsPort}`, { 'grpc.max_send_message_length': 8 * 1024 * 1024 });
    await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: collectAll });
  });

  afterAll(async () => {
    als?.close();
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends a stream that sends a malformed message, keeps what it sent before, and serves the others', async () => {
    const healthy = als.open();
    await healthy.write({ identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/healthy/1')] } });
    const bad = als.open();
    await bad.write({ identifier: istioIdentifier('ratings-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/before-garbage')] } });
    await bad.write(Uint8Array.from([0x12, 0x7f, 0x0a]));
    const { error } = await bad.result;
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/Malformed StreamAccessLogsMessage/);
    await healthy.write({ httpLogs: { logEntry: [httpEntry('/healthy/2')] } });
    expect((await healthy.end()).error).toBeNull();
    await server.store.flush();
    expect(await storedPaths(base)).toEqual(expect.arrayContaining(['/before-garbage', '/healthy/1', '/healthy/2']));
    expect(await metric(base, 'meshlog_als_errors_total{reason="malformed"}')).toBe(1);
  });

  it('drops an entry whose contents do not decode, counts it, and keeps the stream and the entries around it', async () => {
    const types = loadAlsTypes();
    const good = (p: string) => types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject(httpEntry(p))).finish();
    // commonProperties (field 1) whose two bytes are an invalid wire type: framed, but not an entry.
    const garbled = Uint8Array.from([0x0a, 0x02, 0x0f, 0x01]);
    const httpLogs = protobuf.Writer.create();
    for (const e of [good('/around/1'), garbled, good('/around/2')]) httpLogs.uint32((1 << 3) | 2).bytes(e);
    const message = protobuf.Writer.create();
    types.Identifier.encode(types.Identifier.fromObject(istioIdentifier('details-v1', 'mgmt-cluster')), message.uint32((1 << 3) | 2).fork()).ldelim();
    message.uint32((2 << 3) | 2).bytes(httpLogs.finish());
    const stream = als.open();
    await stream.write(message.finish());
    expect((await stream.end()).error).toBeNull();
    await server.store.flush();
    expect(await storedPaths(base)).toEqual(expect.arrayContaining(['/around/1', '/around/2']));
    expect(await metric(base, 'meshlog_entries_dropped_total{reason="malformed"}')).toBe(1);
  });

  it('keeps an entry (and a stream) whose strings are not UTF-8, with the bad bytes replaced, and counts it', async () => {
    const types = loadAlsTypes();
    const marked = (s: string) => Buffer.from(s.replace('XXXX', '\u0001\u0002\u0003\u0004'));
    const spoil = (bytes: Uint8Array) => {
      const b = Buffer.from(bytes);
      for (let i = b.indexOf(marked('XXXX')); i >= 0; i = b.indexOf(marked('XXXX'), i + 4)) b.set([0xff, 0xfe, 0xc3, 0x28], i);
      return b;
    };
    const message = types.StreamAccessLogsMessage.encode(
      types.StreamAccessLogsMessage.fromObject({
        identifier: istioIdentifier('utf8-v1', 'mgmt-cluster'),
        httpLogs: { logEntry: [httpEntry('/utf8/\u0001\u0002\u0003\u0004', { headers: { h: 'v' } })] },
      }),
    ).finish();
    const stream = als.open();
    await stream.write(spoil(message));
    expect((await stream.end()).error).toBeNull();
    await server.store.flush();
    const body = (await (await fetch(`${base}/api/v1/logs?workload=utf8-v1`)).json()) as { items: Array<{ httpAccessLog: { request: { path: string } } }> };
    expect(body.items.map((i) => i.httpAccessLog.request.path)).toEqual(['/utf8/\ufffd\ufffd\ufffd(']);
    const gloo = await (await fetch(`${base}/v0/observability/logs`, { method: 'POST', body: '{}' })).text();
    expect(gloo).toContain('/utf8/\ufffd\ufffd\ufffd(');
  });

  it('keeps an entry dated far in the future at its time of receipt, so it cannot pin the latest entries', async () => {
    const stream = als.open();
    await stream.write({
      identifier: istioIdentifier('future-v1', 'mgmt-cluster'),
      httpLogs: { logEntry: [httpEntry('/future/2099', { startMs: Date.UTC(2099, 0, 1) })] },
    });
    await stream.write({ httpLogs: { logEntry: Array.from({ length: 10 }, (_, i) => httpEntry(`/future/now-${i}`, { startMs: Date.now() + 1000 + i })) } });
    expect((await stream.end()).error).toBeNull();
    await server.store.flush();
    const latest = await (
      await fetch(`${base}/v0/observability/logs`, { method: 'POST', body: '{"workloadSelectors":[{"kubeWorkloadMatcher":{"labels":{"app":"future"}}}]}' })
    ).text();
    expect(latest).not.toContain('/future/2099');
    expect(latest.match(/\/future\/now-/g)).toHaveLength(10);
    const all = (await (await fetch(`${base}/api/v1/logs?workload=future-v1&limit=20`)).json()) as {
      items: Array<{ startTime: string; httpAccessLog: { request: { path: string }; commonProperties: { startTime: string } } }>;
    };
    const future = all.items.find((i) => i.httpAccessLog.request.path === '/future/2099')!;
    // Stored at its receipt; the entry itself still says what the proxy said.
    expect(future.startTime < '2030').toBe(true);
    expect(future.httpAccessLog.commonProperties.startTime).toBe('2099-01-01T00:00:00Z');
    expect(await metric(base, 'meshlog_entries_repaired_total{reason="future_start"}')).toBe(1);
  });

  it('ends a stream whose first message has no identifier', async () => {
    const stream = als.open();
    await stream.write({ httpLogs: { logEntry: [httpEntry('/anonymous')] } });
    const { error } = await stream.result;
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/first message of a stream must carry an identifier/);
    expect(await metric(base, 'meshlog_als_errors_total{reason="missing_identifier"}')).toBe(1);
  });

  it('refuses an oversized message with RESOURCE_EXHAUSTED and counts it', async () => {
    const stream = als.open();
    // Over the 64 KiB limit, under grpc-js's own guard at twice that.
    const big = 'x'.repeat(100 * 1024);
    await stream.write({ identifier: istioIdentifier('details-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/big', { headers: { big } })] } });
    const { error } = await stream.result;
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/over the 65536-byte limit/);
    expect(await metric(base, 'meshlog_als_errors_total{reason="oversized"}')).toBe(1);
    // Far larger: refused by grpc-js before it is even buffered.
    const huge = als.open();
    // Not awaited: the server answers before it reads the whole message.
    void huge.write({
      identifier: istioIdentifier('details-v1', 'mgmt-cluster'),
      httpLogs: { logEntry: [httpEntry('/huge', { headers: { big: 'x'.repeat(1024 * 1024) } })] },
    });
    expect((await huge.result).error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('refuses streams beyond the limit while serving those it has', async () => {
    const open = Array.from({ length: 4 }, (_, i) => {
      const s = als.open();
      void s.write({ identifier: istioIdentifier(`svc${i}-v1`, 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry(`/flood/${i}`)] } });
      return s;
    });
    // Wait until the server holds all four.
    const deadline = Date.now() + 10_000;
    while ((await metric(base, 'meshlog_als_streams_active')) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const extra = als.open();
    await extra.write({ identifier: istioIdentifier('extra-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/flood/extra')] } });
    const { error } = await extra.result;
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/already serves 4 streams/);
    for (const s of open) expect((await s.end()).error).toBeNull();
    await server.store.flush();
    expect(await storedPaths(base)).toEqual(expect.arrayContaining(['/flood/0', '/flood/1', '/flood/2', '/flood/3']));
    expect(await storedPaths(base)).not.toContain('/flood/extra');
    expect(await metric(base, 'meshlog_als_errors_total{reason="too_many_streams"}')).toBe(1);
  });

  it('serves the v2 service with the same identity rules', async () => {
    const stream = als.open('v2');
    await stream.write({ identifier: istioIdentifier('legacy-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/legacy')] } });
    expect((await stream.end()).error).toBeNull();
    await server.store.flush();
    const body = (await (await fetch(`${base}/api/v1/logs?path=/legacy`)).json()) as { items: Array<{ workloadRef: unknown }> };
    expect(body.items[0]?.workloadRef).toEqual({ name: 'legacy-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' });
  });
});

describe('stream floods', () => {
  let dataDir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-flood-'));
    // Dual-stack: 127.0.0.1 and ::1 are two different clients.
    server = await runServer({ dataDir, alsHost: '::', alsPort: 0, httpPort: 0, logger: silentLogger(), maxStreamsPerPeer: 2, alsIdleTimeoutMs: 300 });
    await fetch(`http://127.0.0.1:${server.httpPort}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: collectAll });
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('caps the streams of one client while another client is still served', async () => {
    const v4 = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const v6 = createAlsClient(`[::1]:${server.alsPort}`);
    try {
      const held = [v4.open(), v4.open()];
      for (const [i, s] of held.entries())
        await s.write({ identifier: istioIdentifier(`held${i}-v1`, 'c1'), httpLogs: { logEntry: [httpEntry(`/held/${i}`)] } });
      const third = v4.open();
      await third.write({ identifier: istioIdentifier('third-v1', 'c1'), httpLogs: { logEntry: [httpEntry('/third')] } });
      const { error } = await third.result;
      expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(error?.details).toMatch(/already serves 2 streams from 127\.0\.0\.1/);
      const other = v6.open();
      await other.write({ identifier: istioIdentifier('other-v1', 'c1'), httpLogs: { logEntry: [httpEntry('/other')] } });
      expect((await other.end()).error).toBeNull();
      for (const s of held) expect((await s.end()).error).toBeNull();
    } finally {
      v4.close();
      v6.close();
    }
  });

  it('answers and closes a stream that sends nothing for the idle timeout, keeping what it sent', async () => {
    const client = createAlsClient(`127.0.0.1:${server.alsPort}`);
    try {
      const quiet = client.open();
      await quiet.write({ identifier: istioIdentifier('quiet-v1', 'c1'), httpLogs: { logEntry: [httpEntry('/quiet')] } });
      // Not ended by the client: the server ends it after 300 ms of silence.
      expect((await quiet.result).error).toBeNull();
      const body = (await (await fetch(`http://127.0.0.1:${server.httpPort}/api/v1/logs?workload=quiet-v1`)).json()) as { items: unknown[] };
      expect(body.items).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});

describe('restart', () => {
  it('keeps every entry accepted before a graceful shutdown', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-restart-'));
    try {
      const first = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
      await fetch(`http://127.0.0.1:${first.httpPort}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: collectAll });
      const client = createAlsClient(`127.0.0.1:${first.alsPort}`);
      const stream = client.open();
      const entries = Array.from({ length: 500 }, (_, i) => httpEntry(`/restart/${i}`));
      await stream.write({ identifier: istioIdentifier('reviews-v2', 'mgmt-cluster'), httpLogs: { logEntry: entries.slice(0, 250) } });
      await stream.write({ httpLogs: { logEntry: entries.slice(250) } });
      await stream.end();
      client.close();
      // No flush: shutdown itself must commit what was accepted.
      await first.shutdown();

      const second = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
      try {
        const base = `http://127.0.0.1:${second.httpPort}`;
        expect((await storedPaths(base)).length).toBe(500);
        // The applied record survived too.
        const resources = (await (await fetch(`${base}/api/v1/resources`)).json()) as { items: Array<{ kind: string }> };
        expect(resources.items.map((r) => r.kind)).toContain('AccessLogRecord');
      } finally {
        await second.shutdown();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
