/**
 * `npm run bench`: throughput, latency and memory figures on this machine.
 *
 * Each part prints as it finishes; the whole run takes a few minutes (1M rows go into SQLite and
 * into ClickHouse, Debian's 18.16 started here, for the query figures). `BENCH_10M=1` adds the same
 * at 10M rows (about ten minutes more); `BENCH_QUICK=1` shrinks every part for a smoke run.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { clickHouseTarget, createClickHouseStore } from '../store/clickhouse/index.js';
import { ensureClickHouseInstalled, startClickHouse } from '../store/clickhouse/testing/clickhouse-server.js';
import { createSqliteStore } from '../store/sqlite/index.js';
import { benchFormatter } from './formatter-bench.js';
import { benchIngest } from './ingest-bench.js';
import { benchPipeline } from './pipeline-bench.js';
import { benchProtoJson } from './proto-json-bench.js';
import { benchCompression, benchRelay } from './relay-bench.js';
import { benchStore } from './store-bench.js';

const quick = process.env['BENCH_QUICK'] === '1';
/** The 10M-entry store figures take about ten more minutes; they run only when asked. */
const tenMillion = process.env['BENCH_10M'] === '1';
/** `BENCH_ONLY=stores` (or `ingest`, `relay`, `clickhouse`, `output`) runs one part. */
const only = process.env['BENCH_ONLY'];
const runs = (part: string) => only === undefined || only === part;

/** A MeshAccessLog that sends every entry, in and out, to one file in a 10-field JSON format. */
function fileEverythingPolicy(file: string): string {
  const fields = [
    'START_TIME',
    'REQ(:METHOD)',
    'REQ(X-ENVOY-ORIGINAL-PATH?:PATH)',
    'PROTOCOL',
    'RESPONSE_CODE',
    'RESPONSE_FLAGS',
    'BYTES_RECEIVED',
    'DURATION',
    'UPSTREAM_HOST',
    'KUMA_SOURCE_SERVICE',
  ];
  const json = fields.map((op, i) => `                  - {key: f${i}, value: "%${op}%"}`).join('\n');
  const conf = `      default:\n        backends:\n          - file:\n              path: ${JSON.stringify(file)}\n              format:\n                json:\n${json}`;
  return `type: MeshAccessLog\nmesh: default\nname: bench\nspec:\n  targetRef: {kind: Mesh}\n  from:\n    - targetRef: {kind: Mesh}\n${conf}\n  to:\n    - targetRef: {kind: Mesh}\n${conf}\n`;
}

/** Figures of several engines, one column each. */
function printSideBySide(title: string, byEngine: Record<string, Record<string, number>>): void {
  process.stdout.write(`\n${title}\n`);
  const engines = Object.keys(byEngine);
  const names = [...new Set(engines.flatMap((e) => Object.keys(byEngine[e]!)))];
  const show = (v: number | undefined) => (v === undefined ? '-' : Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2));
  const width = Math.max(...names.map((n) => n.length));
  process.stdout.write(`  ${''.padEnd(width)}  ${engines.map((e) => e.padStart(12)).join('  ')}\n`);
  for (const name of names) process.stdout.write(`  ${name.padEnd(width)}  ${engines.map((e) => show(byEngine[e]![name]).padStart(12)).join('  ')}\n`);
}

/** SQLite and ClickHouse filled with the same rows, the same queries timed on both. */
async function benchStores(scratch: string, clickhouseUrl: string, rows: number): Promise<Record<string, Record<string, number>>> {
  const dataDir = path.join(scratch, `sqlite-${rows}`);
  const sqlite = await createSqliteStore({ dataDir, highWaterRows: 200_000, lowWaterRows: 100_000 });
  let sqliteFigures: Record<string, number>;
  try {
    const bytes = async () => readdirSync(dataDir).reduce((sum, f) => sum + statSync(path.join(dataDir, f)).size, 0);
    sqliteFigures = await benchStore({ store: sqlite, bytesOnDisk: bytes, rows });
  } finally {
    await sqlite.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const database = `meshlog_bench_${rows}`;
  const admin = createClient({ url: clickhouseUrl });
  const clickhouse = await createClickHouseStore({ target: clickHouseTarget(`clickhouse://default:@${new URL(clickhouseUrl).host}/${database}`) });
  let clickhouseFigures: Record<string, number>;
  try {
    // Parts merged, as in a table that has been up a while (a fill of minutes leaves many small ones).
    const settle = async () => {
      await admin.command({ query: `OPTIMIZE TABLE ${database}.entries FINAL` });
    };
    const bytes = async () => {
      await settle();
      const result = await admin.query({
        query: `SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = '${database}' AND table = 'entries' AND active`,
        format: 'JSONEachRow',
      });
      return Number((await result.json<{ b: string }>())[0]!.b);
    };
    clickhouseFigures = await benchStore({ store: clickhouse, bytesOnDisk: bytes, rows, settle });
  } finally {
    await clickhouse.close();
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin.close();
  }
  return { SQLite: sqliteFigures, ClickHouse: clickhouseFigures };
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
    // The relay's figures are set beside `serve`'s ingest of the same run.
    const serve = runs('ingest') || runs('relay') ? await benchIngest({ dataDir: path.join(scratch, 'ingest'), seconds: quick ? 4 : 15 }) : undefined;
    if (serve) print('ALS ingest end to end (entries committed to the store, one watcher attached)', serve);
    if (serve && runs('relay')) {
      const relay = await benchRelay({ dir: path.join(scratch, 'relay'), seconds: quick ? 4 : 15 });
      print(
        'Relay end to end: ALS -> meshlog agent -> mTLS -> meshlog server (entries committed to the server store; replay = buffer sent after the server was away)',
        {
          ...relay,
          relayOverServeIngest: relay.entriesPerSecond / serve.entriesPerSecond,
        },
      );
      for (const batch of [100, 1000])
        print(`Relay batch compression, ${batch}-entry batches (one core)`, await benchCompression({ batch, seconds: quick ? 0.3 : 1 }));
    }
    if (runs('ingest'))
      print(
        'ALS ingest end to end with a MeshAccessLog: every entry also formatted (10-field JSON) to a file backend',
        await benchIngest({
          dataDir: path.join(scratch, 'ingest-policy'),
          seconds: quick ? 4 : 15,
          resources: fileEverythingPolicy(path.join(scratch, 'ingest-policy', 'logs', 'access.log')),
        }),
      );
    if (runs('ingest'))
      for (const rate of [20_000, undefined])
        print(
          `ALS ingest with a firehose watcher (all traffic; its delivery latency timed on the probe's entries), ${rate ? `load paced to ${rate.toLocaleString('en-US')} entries/s` : 'full load'}`,
          await benchIngest({ dataDir: path.join(scratch, `ingest-firehose-${rate ?? 'full'}`), seconds: quick ? 4 : 15, rate, firehose: true }),
        );
    if (runs('ingest'))
      print(
        'Ingest worker work per entry (CPU µs, one thread, no gRPC): wire scan vs full decode, pipeline + SQLite shard, with watchers',
        await benchPipeline({ seconds: quick ? 1 : 5 }),
      );
    if (runs('clickhouse') || runs('stores')) {
      ensureClickHouseInstalled();
      const clickhouse = await startClickHouse();
      try {
        process.stdout.write(`\nClickHouse: Debian's clickhouse-server ${await clickHouseVersion(clickhouse.url)} on this machine, loopback HTTP\n`);
        if (runs('clickhouse'))
          print(
            'ALS ingest end to end into ClickHouse (entries committed, one watcher attached)',
            await benchIngest({
              dataDir: path.join(scratch, 'ingest-clickhouse'),
              seconds: quick ? 4 : 15,
              store: `clickhouse://default:@${new URL(clickhouse.url).host}/meshlog_bench_ingest`,
            }),
          );
        for (const rows of !runs('stores') ? [] : quick ? [50_000] : tenMillion ? [1_000_000, 10_000_000] : [1_000_000]) {
          printSideBySide(
            `Stores at ${rows.toLocaleString('en-US')} entries: fill through the write path, then query times (ms)`,
            await benchStores(scratch, clickhouse.url, rows),
          );
        }
      } finally {
        await clickhouse.stop();
      }
    }
    if (runs('output')) {
      print('proto3 JSON output (entries/s, one core)', await benchProtoJson({ seconds: quick ? 0.5 : 2 }));
      print('Formatter (entries/s, one core; protobufjsToObjectStringify is the JSON.stringify yardstick)', await benchFormatter({ seconds: quick ? 0.5 : 2 }));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function clickHouseVersion(url: string): Promise<string> {
  return (await (await fetch(`${url}/?query=SELECT%20version()`)).text()).trim();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
