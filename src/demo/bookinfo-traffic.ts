/**
 * Simulated Istio sidecars of the bookinfo app in two clusters, speaking real gRPC ALS to a
 * collector the way Envoy does: one long-lived stream per proxy and log type, the identifier only
 * on each stream's first message, entries flushed every second or at 16 KiB.
 *
 * Every hop of a request gives an outbound entry at the caller's sidecar and an inbound entry at
 * the callee's. Some requests carry `foo: bar` (the Gloo guide's filter), and some fail: `UF` with
 * "TLS error: Secret is not supplied by SDS" from productpage to ratings in remote-cluster, and
 * 503s with `UF,URX` after retries. ratings also talks TCP to a MySQL backend.
 */
import * as grpc from '@grpc/grpc-js';
import { loadAlsTypes } from '../envoy/protos.js';
import { bookinfoProxies, clusters, type DemoProxy, identifierOf } from './bookinfo-proxies.js';
import { type Hop, requestHops } from './bookinfo-requests.js';

export interface TrafficOptions {
  /** Where the sidecars send ALS: one address, or one per cluster (each cluster's agent). */
  readonly target: string | ((clusterName: string) => string);
  readonly requestsPerSecond?: number;
  readonly flushIntervalMs?: number;
  readonly seed?: number;
  readonly onError?: (err: Error) => void;
}

export interface Traffic {
  stop(): Promise<void>;
  stats(): { requests: number; entriesSent: number; messagesSent: number; streamErrors: number };
}

/** Envoy's `buffer_size_bytes` default. */
const flushBytes = 16 * 1024;
/** Like Envoy's `logs_dropped`: a stream that cannot send drops rather than grows without bound. */
const maxBuffered = 10_000;

interface ProxyStream {
  readonly proxy: DemoProxy;
  readonly kind: 'http' | 'tcp';
  call: grpc.ClientWritableStream<Buffer> | null;
  buffered: Array<Record<string, unknown>>;
  bytes: number;
}

export function startBookinfoTraffic(options: TrafficOptions): Traffic {
  const types = loadAlsTypes();
  const clients = new Map<string, grpc.Client>();
  const clientFor = (proxy: DemoProxy): grpc.Client => {
    const target = typeof options.target === 'string' ? options.target : options.target(proxy.clusterName);
    let client = clients.get(target);
    if (!client) clients.set(target, (client = new grpc.Client(target, grpc.credentials.createInsecure())));
    return client;
  };
  const streams = new Map<string, ProxyStream>();
  const stats = { requests: 0, entriesSent: 0, messagesSent: 0, streamErrors: 0 };
  let random = mulberry32(options.seed ?? Date.now());
  let stopped = false;

  const streamFor = (proxy: DemoProxy, kind: 'http' | 'tcp'): ProxyStream => {
    const key = `${proxy.id}|${kind}`;
    let s = streams.get(key);
    if (!s) {
      s = { proxy, kind, call: null, buffered: [], bytes: 0 };
      streams.set(key, s);
    }
    return s;
  };

  const send = (s: ProxyStream) => {
    if (s.buffered.length === 0 || (stopped && s.call === null && s.buffered.length === 0)) return;
    const message: Record<string, unknown> = s.kind === 'http' ? { httpLogs: { logEntry: s.buffered } } : { tcpLogs: { logEntry: s.buffered } };
    if (!s.call) {
      // A new stream: the identifier goes in its first message only, as Envoy does.
      message['identifier'] = identifierOf(s.proxy, s.kind);
      const call = clientFor(s.proxy).makeClientStreamRequest(
        '/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs',
        (b: Buffer) => b,
        (b: Buffer) => b,
        (err) => {
          if (err && !stopped) {
            stats.streamErrors++;
            options.onError?.(err);
          }
          if (s.call === call) s.call = null;
        },
      );
      s.call = call;
    }
    const bytes = Buffer.from(types.StreamAccessLogsMessage.encode(types.StreamAccessLogsMessage.fromObject(message)).finish());
    s.call.write(bytes);
    stats.messagesSent++;
    stats.entriesSent += s.buffered.length;
    s.buffered = [];
    s.bytes = 0;
  };

  const record = (hop: Hop) => {
    for (const [proxy, entry] of [
      [hop.from, hop.outbound],
      [hop.to, hop.inbound],
    ] as const) {
      if (!proxy || !entry) continue;
      const s = streamFor(proxy, hop.kind);
      if (s.buffered.length >= maxBuffered) continue;
      s.buffered.push(entry);
      s.bytes += 600;
      if (s.bytes >= flushBytes) send(s);
    }
  };

  const proxies = bookinfoProxies();
  const rate = options.requestsPerSecond ?? 5;
  const tickMs = 100;
  let owed = 0;
  const ticker = setInterval(() => {
    owed += (rate * tickMs) / 1000;
    for (; owed >= 1; owed--) {
      stats.requests++;
      const cluster = clusters[Math.floor(random() * clusters.length)]!;
      for (const hop of requestHops(proxies, cluster, Date.now(), random)) record(hop);
    }
  }, tickMs);
  const flusher = setInterval(() => {
    for (const s of streams.values()) send(s);
  }, options.flushIntervalMs ?? 1000);

  return {
    stats: () => ({ ...stats }),
    async stop() {
      if (stopped) return;
      clearInterval(ticker);
      clearInterval(flusher);
      for (const s of streams.values()) send(s);
      stopped = true;
      await Promise.race([
        Promise.all(
          [...streams.values()].map(
            (s) =>
              new Promise<void>((resolve) => {
                if (!s.call) return resolve();
                s.call.once('status', () => resolve());
                s.call.end();
              }),
          ),
        ),
        new Promise((resolve) => setTimeout(resolve, 3000).unref()),
      ]);
      for (const client of clients.values()) client.close();
      random = () => 0;
    },
  };
}

/** A small seeded PRNG, so that a seed gives the same traffic every time. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
