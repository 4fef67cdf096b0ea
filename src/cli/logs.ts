/**
 * `meshlog logs [WORKLOAD_REGEX]`: the latest entries, the first ones, all of them, or a live tail
 * with `--follow`, filtered like `hubble observe` (`--from-workload`, `--to-service`, ...) and
 * printed as edges, tables, JSON, YAML or a template. Each flag is the `/api/v1/logs` parameter of
 * the same name in camelCase; errors name the flag, not the parameter.
 */
import { Command, Option } from 'commander';
import { addServerOptions, errorMessage, ndjsonLines, request, type ServerFlags } from './api-client.js';
import { type ColorWhen, paintFor, useColor } from './color.js';
import { followLogs } from './follow.js';
import { type OutputFormat, type Printer, createPrinter, outputFormats } from './log-output.js';
import { printNoneSelectedHint } from './none-selected.js';
import { type TimeFormat, timeFormats } from './time-format.js';

interface LogsFlags extends ServerFlags {
  follow?: boolean;
  last?: string;
  first?: string;
  all?: boolean;
  since?: string;
  until?: string;
  output: OutputFormat;
  color: ColorWhen;
  timeFormat: TimeFormat;
  template?: string;
  [filter: string]: unknown;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Repeatable filter flags: flag (commander's camelCase key) → API parameter. */
const listFilters: ReadonlyArray<[flag: string, option: string, help: string, param: string]> = [
  ['selector', '-l, --selector <label=value>', 'workload label, repeatable (all must match)', 'label'],
  ['cluster', '--cluster <name>', 'cluster of the reporting proxy, repeatable', 'cluster'],
  ['namespace', '-n, --namespace <name>', 'namespace of the reporting proxy, repeatable', 'namespace'],
  ['workload', '--workload <name>', 'workload (Deployment-like) name of the reporting proxy, repeatable', 'workload'],
  ['fromWorkload', '--from-workload <name>', 'the caller is this workload, repeatable', 'fromWorkload'],
  ['fromNamespace', '--from-namespace <name>', 'the caller is in this namespace, repeatable', 'fromNamespace'],
  ['toWorkload', '--to-workload <name>', 'the callee is this workload, repeatable', 'toWorkload'],
  ['toNamespace', '--to-namespace <name>', 'the callee is in this namespace, repeatable', 'toNamespace'],
  ['toService', '--to-service <name>', 'the service called (ratings, or ratings.bookinfo), repeatable', 'toService'],
  ['requestId', '--request-id <id>', 'x-request-id, repeatable (meshlog trace shows one request as hops)', 'requestId'],
  ['authority', '--authority <host>', 'the request authority (Host header) exactly, repeatable', 'authority'],
  ['status', '--status <code>', 'status: 503, 5xx or 500-599, repeatable', 'status'],
  ['method', '--method <method>', 'HTTP method, repeatable', 'method'],
  ['flags', '--flags <code>', 'Envoy response flag (UF, URX, ...) or "any", repeatable', 'flags'],
];

const singleFilters: ReadonlyArray<[flag: string, param: string]> = [
  ['path', 'path'],
  ['pathRegex', 'pathRegex'],
  ['minDuration', 'minDuration'],
  ['direction', 'direction'],
  ['kind', 'kind'],
];

/** API parameter → what the user typed, for error messages. */
export const flagNames: Readonly<Record<string, string>> = {
  limit: '--last',
  since: '--since',
  until: '--until',
  path: '--path',
  pathRegex: '--path-regex',
  minDuration: '--min-duration',
  direction: '--direction',
  kind: '--kind',
  workloadRegex: 'WORKLOAD_REGEX',
  ...Object.fromEntries(listFilters.map(([, option, , param]) => [param, option.replace(/^-\w, /, '').split(' ')[0]!])),
};

export function logsCommand(): Command {
  const command = new Command('logs')
    .description('Print collected access logs, oldest first; --follow keeps printing new ones.')
    .argument('[workload-regex]', "only workloads whose name matches this regular expression, as stern's pod query ('reviews-.*')")
    .option('-f, --follow', 'keep the connection open and print entries as they are collected; reconnects if the server restarts')
    .option('--last <n>', 'print the latest N entries (default 20; with --follow, before the new ones)')
    .option('--first <n>', 'print the oldest N entries of the range instead (reads the whole range: bound it with --since)')
    .option('--all', 'print every entry of the range, walking all pages')
    .option('--since <time>', 'only entries that started at or after this: 15m, 2h, Unix seconds, or RFC 3339 (a time without a zone is UTC)')
    .option('--until <time>', 'only entries that started before this, same forms (ignored with --follow)');
  for (const [, option, help] of listFilters) command.option(option, help, collect, []);
  command
    .option('--path <prefix>', 'request path prefix')
    .option('--path-regex <regex>', 'request path regular expression')
    .option('--min-duration <duration>', 'only requests that took at least this long (250ms, 2s)')
    .addOption(new Option('--direction <direction>', 'as the reporting proxy saw it').choices(['inbound', 'outbound']))
    .addOption(new Option('--kind <kind>', 'http or tcp entries only').choices(['http', 'tcp']))
    .addOption(new Option('-o, --output <format>', 'output format').choices(outputFormats).default('compact'))
    .option('--template <template>', 'print fields of each item instead, e.g. "{{.startTime}} {{.httpAccessLog.request.requestId}}"')
    .addOption(new Option('--time-format <format>', 'how times are printed, in UTC (names as in hubble)').choices(timeFormats).default('RFC3339Milli'))
    .addOption(new Option('--color <when>', 'colour the output; auto honours NO_COLOR and FORCE_COLOR').choices(['auto', 'always', 'never']).default('auto'));
  return addServerOptions(command).action(async (workloadRegex: string | undefined, flags: LogsFlags) => {
    const modes = [flags.follow && '--follow', flags.first !== undefined && '--first', flags.all && '--all'].filter(Boolean);
    if (flags.first !== undefined && (modes.length > 1 || flags.last !== undefined)) throw new Error('--first cannot be combined with --last, --all or --follow');
    if (flags.all && (modes.length > 1 || flags.last !== undefined)) throw new Error('--all cannot be combined with --last, --first or --follow');
    if (flags.output === 'table' && flags.follow) throw new Error('-o table needs the whole list to size its columns; with --follow use -o wide');
    const count = (flag: string, text: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new Error(`${flag} must be a whole number from 0 to 10000, not "${text}"`);
      return n;
    };
    const params = new URLSearchParams();
    if (workloadRegex !== undefined) params.set('workloadRegex', workloadRegex);
    if (flags.since) params.set('since', flags.since);
    if (flags.until && !flags.follow) params.set('until', flags.until);
    for (const [flag, , , param] of listFilters) for (const value of flags[flag] as string[]) params.append(param, value);
    for (const [flag, param] of singleFilters) if (typeof flags[flag] === 'string') params.set(param, flags[flag] as string);

    const printer = createPrinter(flags.output, {
      paint: paintFor(useColor(flags.color, process.stdout.isTTY)),
      timeFormat: flags.timeFormat,
      template: flags.template,
    });
    const print = (item: unknown) => {
      const lost = (item as { lost?: number }).lost;
      if (lost !== undefined) process.stderr.write(`meshlog: ${lost} entries were not delivered (this client could not keep up)\n`);
      else process.stdout.write(printer.item(item));
    };
    if (flags.follow) {
      params.set('limit', String(count('--last', flags.last ?? '20')));
      await followLogs(flags, params, { names: flagNames, print, notice: (text) => process.stderr.write(`meshlog: ${text}\n`) });
      return;
    }
    const items = flags.all ? await walk(flags, params, Infinity) : flags.first !== undefined ? await walk(flags, params, count('--first', flags.first)) : await latest(flags, params, count('--last', flags.last ?? '20'));
    // The server answers newest first; print oldest first, like a tail.
    for (let i = items.length - 1; i >= 0; i--) print(items[i]);
    finish(printer);
    if (items.length === 0) await printNoneSelectedHint(flags);
  });
}

function finish(printer: Printer): void {
  process.stdout.write(printer.end());
}

async function page(flags: ServerFlags, params: URLSearchParams): Promise<{ items: unknown[]; next: string | null }> {
  const query = new URLSearchParams(params);
  query.set('format', 'ndjson');
  const response = await request(flags, `api/v1/logs?${query}`);
  if (!response.ok) throw new Error(await errorMessage(response, flagNames));
  const items: unknown[] = [];
  for await (const item of ndjsonLines(response)) items.push(item);
  return { items, next: response.headers.get('meshlog-next-cursor') };
}

async function latest(flags: ServerFlags, params: URLSearchParams, last: number): Promise<unknown[]> {
  return (await page(flags, new URLSearchParams([...params, ['limit', String(last)]]))).items;
}

/**
 * Every page, newest first, keeping the oldest `keep` items seen (all of them for `--all`). The API
 * pages from the newest down, so the oldest entries are only known at the end.
 */
async function walk(flags: ServerFlags, params: URLSearchParams, keep: number): Promise<unknown[]> {
  if (keep === 0) return [];
  const kept: unknown[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams([...params, ['limit', '1000']]);
    if (cursor) query.set('cursor', cursor);
    const { items, next } = await page(flags, query);
    for (const item of items) kept.push(item);
    if (kept.length > keep) kept.splice(0, kept.length - keep);
    cursor = next;
  } while (cursor);
  return kept;
}
