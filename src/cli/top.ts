/**
 * `meshlog top`: golden signals per workload (or edge, path, status class, response flag) as a
 * table refreshed every few seconds, in the spirit of `kubectl top` and `linkerd viz stat`.
 * On a terminal it redraws until Ctrl-C; `--once`, a pipe or `-o json` print one answer and exit.
 */
import { Command, Option } from 'commander';
import { statsGroupBys } from '../store/types.js';
import { parseDuration } from '../util/duration.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { addFilterOptions, type FilterFlags, filterParams } from './filter-flags.js';

interface TopFlags extends ServerFlags, FilterFlags {
  by: string;
  sort: string;
  limit: string;
  interval: string;
  once?: boolean;
  output: 'table' | 'json';
}

interface Group {
  key: Record<string, string>;
  requests: number;
  requestsPerSecond: number;
  errorRate: number;
  flaggedRate: number;
  durationMs: { p50: number | null; p95: number | null; p99: number | null };
  bytesReceived: number;
  bytesSent: number;
  topFailures: Array<{ reason: string; requests: number }>;
}

const sorts: Record<string, (g: Group) => number | string> = {
  requests: (g) => g.requests,
  errors: (g) => g.errorRate,
  flagged: (g) => g.flaggedRate,
  p50: (g) => g.durationMs.p50 ?? -1,
  p95: (g) => g.durationMs.p95 ?? -1,
  p99: (g) => g.durationMs.p99 ?? -1,
  bytes: (g) => g.bytesReceived + g.bytesSent,
  name: (g) => Object.values(g.key).join('/'),
};

export function topCommand(): Command {
  const command = new Command('top')
    .description('Golden signals per workload or edge, refreshed every few seconds (one answer with --once or -o json).')
    .addOption(new Option('--by <group>', 'what a row is').choices([...statsGroupBys]).default('workload'))
    .addOption(new Option('--sort <column>', 'sort rows by this, largest first (name: A to Z)').choices(Object.keys(sorts)).default('requests'))
    .option('--limit <n>', 'at most this many rows (those with the most requests)', '20')
    .option('--interval <duration>', 'time between refreshes', '2s')
    .option('--once', 'print one table and exit')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'));
  addFilterOptions(command, 'only entries that started before this (the window then stays put)');
  return addServerOptions(command).action(async (flags: TopFlags) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a whole number above 0, not "${flags.limit}"`);
    const intervalMs = parseDuration(flags.interval);
    if (intervalMs === undefined || intervalMs < 200) throw new Error(`--interval must be a duration of at least 200ms, not "${flags.interval}"`);
    const params = filterParams(
      { ...flags, since: flags.since ?? '5m' },
      new URLSearchParams({ groupBy: flags.by, limit: String(Math.max(limit, 100)), top: '1' }),
    );
    const fetchStats = async () => {
      const response = await request(flags, `api/v1/stats?${params}`);
      if (!response.ok) throw new Error(await errorMessage(response));
      return (await response.json()) as { since: string; until: string; groups: Group[] };
    };
    if (flags.output === 'json') {
      process.stdout.write(`${JSON.stringify(await fetchStats(), null, 2)}\n`);
      return;
    }
    const live = !flags.once && process.stdout.isTTY === true;
    for (;;) {
      const stats = await fetchStats();
      const table = renderTop(flags.by, sortGroups(stats.groups, flags.sort).slice(0, limit));
      const header = `meshlog top --by ${flags.by}: ${stats.since} to ${stats.until}${live ? ` (every ${flags.interval}; Ctrl-C to stop)` : ''}\n\n`;
      // Home and clear: a redraw in place, as top does.
      process.stdout.write(`${live ? '\u001b[H\u001b[2J' : ''}${header}${table}`);
      if (!live) return;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  });
}

export function sortGroups(groups: readonly Group[], by: string): Group[] {
  const value = sorts[by] ?? sorts['requests']!;
  return [...groups].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (typeof x === 'string' || typeof y === 'string') return String(x).localeCompare(String(y));
    return y - x || b.requests - a.requests;
  });
}

const keyColumns: Record<string, (k: Record<string, string>) => string[]> = {
  workload: (k) => [k['cluster'] ?? '', k['namespace'] ?? '', k['workload'] ?? ''],
  edge: (k) => [end(k['sourceNamespace'], k['sourceWorkload']), end(k['destinationNamespace'], k['destinationWorkload'] || k['destinationService'])],
  path: (k) => [k['path'] || '(none)'],
  status: (k) => [k['status'] || '(none)'],
  flag: (k) => [k['flag'] || '(none)'],
};

const keyHeaders: Record<string, string[]> = {
  workload: ['CLUSTER', 'NAMESPACE', 'WORKLOAD'],
  edge: ['SOURCE', 'DESTINATION'],
  path: ['PATH'],
  status: ['STATUS'],
  flag: ['FLAG'],
};

function end(namespace: string | undefined, name: string | undefined): string {
  if (!name) return '(unknown)';
  return namespace ? `${namespace}/${name}` : name;
}

/** The table: key columns, then requests, RPS, error and flagged rates, latency percentiles, bytes and the top failure. */
export function renderTop(by: string, groups: readonly Group[]): string {
  const percent = (r: number) => `${(r * 100).toFixed(r > 0 && r < 0.001 ? 2 : 1)}%`;
  const millis = (v: number | null) => (v === null ? '-' : v >= 100 ? `${Math.round(v)}ms` : `${v.toFixed(1)}ms`);
  const header = [...(keyHeaders[by] ?? ['KEY']), 'REQ', 'RPS', '5XX', 'FLAGGED', 'P50', 'P95', 'P99', 'IN', 'OUT', 'TOP FAILURE'];
  const rows = groups.map((g) => [
    ...(keyColumns[by]?.(g.key) ?? [Object.values(g.key).join('/')]),
    String(g.requests),
    g.requestsPerSecond.toFixed(2),
    percent(g.errorRate),
    percent(g.flaggedRate),
    millis(g.durationMs.p50),
    millis(g.durationMs.p95),
    millis(g.durationMs.p99),
    bytes(g.bytesReceived),
    bytes(g.bytesSent),
    g.topFailures[0] ? `${g.topFailures[0].reason} (${g.topFailures[0].requests})` : '',
  ]);
  if (rows.length === 0) return 'No entries in this window.\n';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return `${[header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)}${units[u]}`;
}
