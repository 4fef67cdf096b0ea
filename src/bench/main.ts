/**
 * `npm run bench`: throughput, latency and memory figures on this machine.
 *
 * Each part prints as it finishes; the whole run takes a few minutes (1M rows go into the store
 * for the query figures). `BENCH_QUICK=1` shrinks every part for a smoke run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { benchFormatter } from './formatter-bench.js';
import { benchIngest } from './ingest-bench.js';
import { benchPipeline } from './pipeline-bench.js';
import { benchProtoJson } from './proto-json-bench.js';
import { benchCompression, benchRelay } from './relay-bench.js';
import { benchStore } from './store-bench.js';

const quick = process.env['BENCH_QUICK'] === '1';

/** A MeshAccessLog that sends every entry, in and out, to one file in a 10-field JSON format. */
function fileEverythingPolicy(file: string): string {
  const fields = ['START_TIME', 'REQ(:METHOD)', 'REQ(X-ENVOY-ORIGINAL-PATH?:PATH)', 'PROTOCOL', 'RESPONSE_CODE', 'RESPONSE_FLAGS', 'BYTES_RECEIVED', 'DURATION', 'UPSTREAM_HOST', 'KUMA_SOURCE_SERVICE'];
  const json = fields.map((op, i) => `                  - {key: f${i}, value: "%${op}%"}`).join('\n');
  const conf = `      default:\n        backends:\n          - file:\n              path: ${JSON.stringify(file)}\n              format:\n                json:\n${json}`;
  return `type: MeshAccessLog\nmesh: default\nname: bench\nspec:\n  targetRef: {kind: Mesh}\n  from:\n    - targetRef: {kind: Mesh}\n${conf}\n  to:\n    - targetRef: {kind: Mesh}\n${conf}\n`;
}

function print(title: string, figures: Record<string, number>): void {
  process.stdout.write(`\n${title}\n`);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [key, value] of Object.entries(figures)) {
    const shown = Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
    process.stdout.write(`  ${key.padEnd(width)}  ${shown}\n`);
  }
}

async function main(): Promise<void> {
  process.stdout.write(`meshlog bench: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})${quick ? ', quick mode' : ''}\n`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'meshlog-bench-'));
  try {
    const serve = await benchIngest({ dataDir: path.join(scratch, 'ingest'), seconds: quick ? 4 : 15 });
    print('ALS ingest end to end (entries committed to the store, one watcher attached)', serve);
    const relay = await benchRelay({ dir: path.join(scratch, 'relay'), seconds: quick ? 4 : 15 });
    print('Relay end to end: ALS -> meshlog agent -> mTLS -> meshlog server (entries committed to the server store; replay = buffer sent after the server was away)', {
      ...relay,
      relayOverServeIngest: relay.entriesPerSecond / serve.entriesPerSecond,
    });
    for (const batch of [100, 1000]) print(`Relay batch compression, ${batch}-entry batches (one core)`, await benchCompression({ batch, seconds: quick ? 0.3 : 1 }));
    print(
      'ALS ingest end to end with a MeshAccessLog: every entry also formatted (10-field JSON) to a file backend',
      await benchIngest({ dataDir: path.join(scratch, 'ingest-policy'), seconds: quick ? 4 : 15, resources: fileEverythingPolicy(path.join(scratch, 'access.log')) }),
    );
    print('Ingest worker work per entry (CPU µs, one thread, no gRPC): wire scan vs full decode, pipeline + SQLite shard, with watchers', await benchPipeline({ seconds: quick ? 1 : 5 }));
    print('Store: 1M entries, latest-10 queries', await benchStore({ dataDir: path.join(scratch, 'store'), rows: quick ? 50_000 : 1_000_000 }));
    print('proto3 JSON output (entries/s, one core)', await benchProtoJson({ seconds: quick ? 0.5 : 2 }));
    print('Formatter (entries/s, one core; protobufjsToObjectStringify is the JSON.stringify yardstick)', await benchFormatter({ seconds: quick ? 0.5 : 2 }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
