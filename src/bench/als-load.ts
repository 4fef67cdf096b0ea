/**
 * ALS load for the benchmark: N client streams (distinct proxies), each sending pre-encoded
 * 100-entry batches of realistic bookinfo entries as fast as HTTP/2 flow control allows, or at
 * `--rate` entries/s in all.
 *
 * Run as its own process so that its CPU is not the server's:
 * `node dist/bench/als-load.js --target 127.0.0.1:9977 --streams 4 --seconds 10`
 * prints one JSON line: `{"entriesSent": n, "messagesSent": n, "seconds": s, "errors": n}`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { bookinfoProxies, identifierOf } from '../demo/bookinfo-proxies.js';
import { requestHops } from '../demo/bookinfo-requests.js';
import { mulberry32 } from '../demo/bookinfo-traffic.js';
import { loadAlsTypes } from '../envoy/protos.js';

export interface LoadResult {
  entriesSent: number;
  messagesSent: number;
  seconds: number;
  errors: number;
}

/** 16 different batches of `batchSize` HTTP entries, from the demo's request flows. */
export function encodedBatches(batchSize: number): Buffer[] {
  const types = loadAlsTypes();
  const proxies = bookinfoProxies();
  const random = mulberry32(1);
  const entries: Array<Record<string, unknown>> = [];
  while (entries.length < 16 * batchSize) {
    for (const hop of requestHops(proxies, random() < 0.5 ? 'mgmt-cluster' : 'remote-cluster', Date.now(), random)) {
      if (hop.kind === 'http' && hop.outbound) entries.push(hop.outbound);
    }
  }
  return Array.from({ length: 16 }, (_, i) => {
    const message = { httpLogs: { logEntry: entries.slice(i * batchSize, (i + 1) * batchSize) } };
    return Buffer.from(types.StreamAccessLogsMessage.encode(types.StreamAccessLogsMessage.fromObject(message)).finish());
  });
}

/** `rate`, when given, paces the streams to that many entries per second in all; as fast as flow control allows otherwise. */
export async function runAlsLoad(options: { target: string; streams?: number; seconds?: number; batchSize?: number; rate?: number }): Promise<LoadResult> {
  const types = loadAlsTypes();
  const batchSize = options.batchSize ?? 100;
  const batches = encodedBatches(batchSize);
  const proxies = [...bookinfoProxies().values()];
  const client = new grpc.Client(options.target, grpc.credentials.createInsecure());
  const result: LoadResult = { entriesSent: 0, messagesSent: 0, seconds: 0, errors: 0 };
  const started = Date.now();
  const end = started + (options.seconds ?? 10) * 1000;
  await Promise.all(
    Array.from({ length: options.streams ?? 4 }, (_, s) => {
      const proxy = proxies[s % proxies.length]!;
      const identifier = Buffer.from(
        types.StreamAccessLogsMessage.encode(types.StreamAccessLogsMessage.fromObject({ identifier: identifierOf(proxy, 'http') })).finish(),
      );
      return new Promise<void>((resolve) => {
        const call = client.makeClientStreamRequest(
          '/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs',
          (b: Buffer) => b,
          (b: Buffer) => b,
          (err) => {
            if (err) result.errors++;
            resolve();
          },
        );
        // Concatenated messages merge, so the identifier can lead the first batch as its own message.
        call.write(identifier);
        let n = s;
        let sent = 0;
        const perStreamPerMs = options.rate === undefined ? undefined : options.rate / (options.streams ?? 4) / 1000;
        const pump = () => {
          while (Date.now() < end) {
            if (perStreamPerMs !== undefined && sent * batchSize >= (Date.now() - started) * perStreamPerMs) {
              setTimeout(pump, 5);
              return;
            }
            sent++;
            const ok = call.write(batches[n++ % batches.length]!);
            result.messagesSent++;
            result.entriesSent += batchSize;
            if (!ok) {
              call.once('drain', pump);
              return;
            }
          }
          call.end();
        };
        pump();
      });
    }),
  );
  result.seconds = (Date.now() - started) / 1000;
  client.close();
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { target: { type: 'string' }, streams: { type: 'string' }, seconds: { type: 'string' }, batch: { type: 'string' }, rate: { type: 'string' } },
  });
  if (!values.target) throw new Error('--target host:port is required');
  const result = await runAlsLoad({
    target: values.target,
    streams: Number(values.streams ?? 4),
    seconds: Number(values.seconds ?? 10),
    batchSize: Number(values.batch ?? 100),
    rate: values.rate === undefined ? undefined : Number(values.rate),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
