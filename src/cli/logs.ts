/**
 * `meshlog logs`: the latest entries, or a live tail with `--follow`, filtered like `hubble observe`.
 */
import { Command, Option } from 'commander';
import { addServerOptions, errorMessage, ndjsonLines, request, type ServerFlags } from './api-client.js';
import { formatCompact } from './format-compact.js';

interface LogsFlags extends ServerFlags {
  follow?: boolean;
  last: string;
  since?: string;
  until?: string;
  selector: string[];
  cluster: string[];
  namespace: string[];
  workload: string[];
  status: string[];
  method: string[];
  path?: string;
  pathRegex?: string;
  flags: string[];
  minDuration?: string;
  output: 'compact' | 'json';
  color: 'auto' | 'always' | 'never';
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function logsCommand(): Command {
  const command = new Command('logs')
    .description('Print collected access logs, newest last; --follow keeps printing new ones.')
    .option('-f, --follow', 'keep the connection open and print entries as they are collected')
    .option('--last <n>', 'how many of the latest entries to print first', '20')
    .option('--since <time>', 'only entries that started after this (15m, 2h, or RFC 3339)')
    .option('--until <time>', 'only entries that started before this (ignored with --follow)')
    .option('-l, --selector <label=value>', 'workload label, repeatable (all must match)', collect, [])
    .option('--cluster <name>', 'cluster, repeatable', collect, [])
    .option('-n, --namespace <name>', 'namespace, repeatable', collect, [])
    .option('--workload <name>', 'workload (Deployment-like) name, repeatable', collect, [])
    .option('--status <code>', 'status: 503, 5xx or 500-599, repeatable', collect, [])
    .option('--method <method>', 'HTTP method, repeatable', collect, [])
    .option('--path <prefix>', 'request path prefix')
    .option('--path-regex <regex>', 'request path regular expression')
    .option('--flags <code>', 'Envoy response flag (UF, URX, ...) or "any", repeatable', collect, [])
    .option('--min-duration <duration>', 'only requests that took at least this long (250ms, 2s)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['compact', 'json']).default('compact'))
    .addOption(new Option('--color <when>', 'colour the compact output').choices(['auto', 'always', 'never']).default('auto'));
  return addServerOptions(command).action(async (flags: LogsFlags) => {
    const last = Number(flags.last);
    if (!Number.isInteger(last) || last < 0) throw new Error(`--last must be a whole number, not "${flags.last}"`);
    const params = new URLSearchParams({ limit: String(last) });
    const add = (name: string, values: string[]) => {
      for (const v of values) params.append(name, v);
    };
    if (flags.since) params.set('since', flags.since);
    if (flags.until && !flags.follow) params.set('until', flags.until);
    add('label', flags.selector);
    add('cluster', flags.cluster);
    add('namespace', flags.namespace);
    add('workload', flags.workload);
    add('status', flags.status);
    add('method', flags.method);
    add('flags', flags.flags);
    if (flags.path) params.set('path', flags.path);
    if (flags.pathRegex) params.set('pathRegex', flags.pathRegex);
    if (flags.minDuration) params.set('minDuration', flags.minDuration);
    const color = flags.color === 'always' || (flags.color === 'auto' && process.stdout.isTTY === true);
    const print = (item: unknown) => {
      const lost = (item as { lost?: number }).lost;
      if (lost !== undefined) process.stderr.write(`meshlog: ${lost} entries were not delivered (this client could not keep up)\n`);
      else process.stdout.write(`${flags.output === 'json' ? JSON.stringify(item) : formatCompact(item, color)}\n`);
    };
    if (flags.follow) params.set('follow', '1');
    else params.set('format', 'ndjson');
    const response = await request(flags, `api/v1/logs?${params}`);
    if (!response.ok) throw new Error(await errorMessage(response));
    if (flags.follow) {
      for await (const item of ndjsonLines(response)) print(item);
      return;
    }
    const items: unknown[] = [];
    for await (const item of ndjsonLines(response)) items.push(item);
    // The server answers newest first; print like a tail.
    for (const item of items.reverse()) print(item);
  });
}
