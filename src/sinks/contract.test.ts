/**
 * Every sink in the registry keeps the sink contract (`testing/contract.ts`) against a real
 * destination on this machine: a file in a temporary directory, a TCP peer on loopback, and OTLP
 * receivers over gRPC and HTTP. A destination that starts down is a directory not yet made, or a
 * loopback port nothing listens on yet.
 */
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../util/free-port.js';
import { fileSinkFactory } from './file/index.js';
import { type OtelLogRecord, otlpSinkFactory } from './otlp/index.js';
import { type Receiver, startGrpcReceiver, startHttpReceiver } from './otlp/testing/otlp-test-receivers.js';
import type { LineRecord } from './shared/line-record.js';
import { tcpSinkFactory } from './tcp/index.js';
import { type LineServer, startLineServer } from './tcp/testing/line-server.js';
import { describeSinkContract } from './testing/contract.js';

/** A loopback port that was free a moment ago: where a destination that starts down will listen. */
const line = (id: number): LineRecord => ({ object: { record: id } });
const lineIds = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { record: number }).record);

describeSinkContract('file', async ({ metrics, down, options }) => {
  const root = await mkdtemp(join(tmpdir(), 'meshlog-contract-'));
  const dir = join(root, 'logs');
  // Down: a file stands where the directory should be, so the sink can neither make it nor write.
  if (down) await writeFile(dir, 'in the way');
  const path = join(dir, 'access.log');
  const sink = fileSinkFactory.create({ type: 'file', path }, { metrics }, options);
  return {
    sink,
    record: line,
    async delivered() {
      const text = await readFile(path, 'utf8').catch(() => '');
      return lineIds(text.split('\n').filter((l) => l !== ''));
    },
    recover: () => unlink(dir),
    close: () => rm(root, { recursive: true, force: true }),
  };
});

describeSinkContract('tcp', async ({ metrics, down, options }) => {
  let server: LineServer | undefined = down ? undefined : await startLineServer();
  const port = server?.port ?? (await freePort());
  const sink = tcpSinkFactory.create({ type: 'tcp', address: `127.0.0.1:${port}` }, { metrics }, options);
  return {
    sink,
    record: line,
    delivered: async () => lineIds(server?.lines() ?? []),
    async recover() {
      server = await startLineServer(port);
    },
    close: async () => server?.stop(),
  };
});

const otlpRecord = (id: number): OtelLogRecord => ({
  timeUnixNano: 1_460_751_420_310_123_456n + BigInt(id),
  body: { stringValue: `record ${id}` },
  attributes: [{ key: 'record', value: { intValue: id } }],
  resource: { log_name: 'MeshAccessLog', node_name: 'reviews-v1.bookinfo' },
});

/** The body numbers of every log record the receiver decoded. */
function otlpIds(receiver: Receiver | undefined): number[] {
  const bodies = (receiver?.received ?? []).flatMap((r) =>
    (r.request.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []) as { body?: { stringValue?: string } }[])),
  );
  return bodies.map((b) => Number(/^record (\d+)$/.exec(b.body?.stringValue ?? '')?.[1]));
}

for (const [protocol, start, endpoint] of [
  ['grpc', startGrpcReceiver, (port: number) => `127.0.0.1:${port}`],
  ['http', startHttpReceiver, (port: number) => `http://127.0.0.1:${port}`],
] as const) {
  describeSinkContract(`openTelemetry (${protocol})`, async ({ metrics, down, options }) => {
    const port = await freePort();
    let receiver: Receiver | undefined = down ? undefined : await start(port);
    const sink = otlpSinkFactory.create({ type: 'openTelemetry', endpoint: endpoint(port) }, { metrics }, { timeoutMs: 2_000, ...options });
    return {
      sink,
      record: otlpRecord,
      delivered: async () => otlpIds(receiver),
      async recover() {
        receiver = await start(port);
      },
      close: async () => receiver?.stop(),
    };
  });
}
