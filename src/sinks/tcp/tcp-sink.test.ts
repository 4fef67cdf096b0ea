/**
 * The tcp sink against a real TCP server on loopback: the wire format, and a server that goes
 * away and comes back on the same port, with records kept while it is away and the overflow counted.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../telemetry/metrics.js';
import { createSinkPolicy } from '../shared/destination-policy.js';
import type { LineRecord } from '../shared/line-record.js';
import { until } from '../testing/until.js';
import { type TcpSink, type TcpSinkOptions, tcpSinkFactory } from './index.js';
import { type LineServer, startLineServer } from './testing/line-server.js';

const servers: LineServer[] = [];
const sinks: TcpSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.shutdown(500)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function sinkTo(port: number, options: Partial<TcpSinkOptions> = {}): TcpSink {
  const sink = tcpSinkFactory.create(
    { type: 'tcp', address: `127.0.0.1:${port}` },
    { metrics: createMetrics() },
    {
      flushIntervalMs: 5,
      retry: { initialMs: 10, maxMs: 50, multiplier: 2, jitter: 0 },
      ...options,
    },
  );
  sinks.push(sink);
  return sink;
}

const lines = (...texts: string[]): LineRecord[] => texts.map((text) => ({ text }));

describe('tcp sink', () => {
  it('streams newline-delimited records on one connection: text as is, objects as JSON', async () => {
    const server = await startLineServer();
    servers.push(server);
    const sink = sinkTo(server.port);
    sink.push([{ text: '[2026-11-23T10:00:00.000Z] default 10.0.0.1(web)->10.0.0.2:80(backend) took 3ms' }]);
    sink.push([{ object: { address: 'logging.backend', nested: { code: 200 } } }]);
    expect(await sink.flush()).toBe(true);
    sink.push(lines('third'));
    expect(await sink.flush()).toBe(true);
    const expected =
      '[2026-11-23T10:00:00.000Z] default 10.0.0.1(web)->10.0.0.2:80(backend) took 3ms\n' + '{"address":"logging.backend","nested":{"code":200}}\nthird\n';
    await until(() => Buffer.concat(server.received).length === Buffer.byteLength(expected));
    expect(Buffer.concat(server.received).toString('utf8')).toBe(expected);
    expect(server.connections).toBe(1);
  });

  it('keeps what fits while the server is away, delivers it when it returns, and counts the overflow', async () => {
    const first = await startLineServer();
    const port = first.port;
    const sink = sinkTo(port, { maxQueued: 5, maxBatch: 5 });
    sink.push(lines('one', 'two'));
    await until(() => first.lines().length === 2);
    await first.stop();
    // Let the sink see the close, as it would in real life before the next records arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(sink.push(lines('three', 'four'))).toBe(2);
    await until(() => sink.stats().errors >= 2);
    expect(sink.stats().lastError).toMatch(/ECONNREFUSED/);
    // Two are waiting, so three of these six fit.
    expect(sink.push(lines('r1', 'r2', 'r3', 'r4', 'r5', 'r6'))).toBe(3);
    expect(sink.stats()).toMatchObject({ queued: 5, dropped: { overflow: 3 } });

    const second = await startLineServer(port);
    servers.push(second);
    await until(() => second.lines().length >= 5);
    expect(second.lines()).toEqual(['three', 'four', 'r1', 'r2', 'r3']);
    expect(sink.stats()).toMatchObject({ queued: 0, sent: 7, dropped: { overflow: 3, shutdown: 0 } });
    expect(sink.stats().retries).toBeGreaterThanOrEqual(2);
  });

  it('drops a connection whose peer stops reading and resends the whole batch on a new one', async () => {
    // The first connection is never read: the kernel buffers fill and the write cannot finish.
    const perConnection: Buffer[][] = [];
    const accepted: net.Socket[] = [];
    const server = net.createServer((socket) => {
      accepted.push(socket);
      const chunks: Buffer[] = [];
      perConnection.push(chunks);
      socket.on('error', () => undefined);
      if (perConnection.length === 1) socket.pause();
      else socket.on('data', (c) => chunks.push(c));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const sink = sinkTo(port, { writeTimeoutMs: 300, maxBatch: 100 });
      const big = 'x'.repeat(512 * 1024);
      // 48 MiB in one batch: more than loopback socket buffers hold.
      sink.push(Array.from({ length: 96 }, (_, i) => ({ text: `${i} ${big}` })));
      await until(() => sink.stats().sent === 96, 20_000);
      expect(sink.stats().lastError).toMatch(/took nothing of the batch for 300 ms/);
      expect(perConnection.length).toBeGreaterThanOrEqual(2);
      const lastLines = () =>
        Buffer.concat(perConnection.at(-1)!)
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== '');
      // Sent means the kernel took it; the peer reads the rest a moment later.
      await until(() => lastLines().length === 96);
      const lines = lastLines();
      expect(lines.map((l) => Number(l.slice(0, l.indexOf(' '))))).toEqual(Array.from({ length: 96 }, (_, i) => i));
    } finally {
      await Promise.all(sinks.splice(0).map((s) => s.shutdown(500)));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of accepted) socket.destroy();
      await closed;
    }
  });

  it('shutdown delivers what is queued to a server that is up', async () => {
    const server = await startLineServer();
    servers.push(server);
    const sink = sinkTo(server.port, { flushIntervalMs: 60_000 });
    sink.push(lines('x', 'y'));
    await sink.shutdown(2_000);
    await until(() => server.lines().length === 2);
    expect(server.lines()).toEqual(['x', 'y']);
  });

  it('shutdown gives up at the deadline when no server ever comes', async () => {
    const probe = await startLineServer();
    await probe.stop();
    const sink = sinkTo(probe.port);
    sink.push(lines('lost'));
    const started = Date.now();
    await sink.shutdown(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(sink.stats()).toMatchObject({ queued: 0, sent: 0, dropped: { shutdown: 1 } });
  });

  it('resolves a name and checks its addresses before it connects, under the operator policy', async () => {
    const server = await startLineServer();
    servers.push(server);
    const guarded = (address: string, allowHosts: string[]) => {
      const sink = tcpSinkFactory.create(
        { type: 'tcp', address },
        { metrics: createMetrics(), policy: createSinkPolicy({ fileRoots: [], allowHosts }) },
        { flushIntervalMs: 5, retry: { initialMs: 10, maxMs: 50, multiplier: 2, jitter: 0 } },
      );
      sinks.push(sink);
      sink.push(lines('probe'));
      return sink;
    };
    // The name's text is allowed; the address it resolves to is not: no connection is made.
    const byName = guarded(`localhost:${server.port}`, ['localhost-only.invalid', '10.0.0.0/8']);
    await until(() => byName.stats().errors >= 1);
    expect(byName.stats().lastError).toMatch(/Refusing to connect: localhost \(127\.0\.0\.1\) is not allowed by --sink-allow-host/);
    // A literal link-local address is refused for good, and counted as dropped.
    const metadata = guarded('169.254.169.254:80', []);
    await until(() => metadata.stats().dropped.permanent === 1);
    expect(metadata.stats().lastError).toMatch(/link-local or cloud metadata/);
    // Allowed by CIDR after resolution: delivered.
    const allowed = guarded(`localhost:${server.port}`, ['127.0.0.0/8']);
    expect(await allowed.flush()).toBe(true);
    await until(() => server.lines().includes('probe'));
  });

  it('validates the address without I/O', () => {
    expect(tcpSinkFactory.validate({ type: 'tcp', address: 'logging.backend:5000' }, 'b')).toEqual([]);
    expect(tcpSinkFactory.validate({ type: 'tcp', address: '[::1]:5000' }, 'b')).toEqual([]);
    expect(tcpSinkFactory.validate({ type: 'tcp', address: 'logging.backend' }, 'b')).toEqual([
      { field: 'b.address', message: 'tcp backend requires valid address: "logging.backend" is not host:port' },
    ]);
    expect(tcpSinkFactory.validate({ type: 'tcp', address: 'h:70000' }, 'b')).toEqual([
      { field: 'b.address', message: 'tcp backend requires valid address: "h:70000" is not host:port' },
    ]);
  });
});
