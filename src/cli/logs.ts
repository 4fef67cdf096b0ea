/**
 * `meshlog logs [WORKLOAD_REGEX]`: the latest entries, the first ones, all of them, or a live tail
 * with `--follow`, filtered like `hubble observe` (`--from-workload`, `--to-service`, ...) and
 * printed as edges, tables, JSON, YAML or a template. Each flag is the `/api/v1/logs` parameter of
 * the same name in camelCase; errors name the flag, not the parameter.
 */
import { Command, Option } from 'commander';
import { addServerOptions, errorMessage, ndjsonLines, request, type ServerFlags } from './api-client.js';
import { type ColorWhen, paintFor, useColor } from './color.js';
import { addFilterOptions, type FilterFlags, filterFlagNames, filterParams } from './filter-flags.js';
import { followLogs } from './follow.js';
import { createPrinter, type OutputFormat, outputFormats, type Printer } from './log-output.js';
import { printNoneSelectedHint } from './none-selected.js';
import { type TimeFormat, timeFormats } from './time-format.js';

interface LogsFlags extends ServerFlags, FilterFlags {
  follow?: boolean;
  last?: string;
  first?: string;
  all?: boolean;
  output: OutputFormat;
  color: ColorWhen;
  timeFormat: TimeFormat;
  template?: string;
}

/** API parameter → what the user typed, for error messages. */
export const flagNames: Readonly<Record<string, string>> = { ...filterFlagNames, limit: '--last' };

export function logsCommand(): Command {
  const command = new Command('logs')
    .description('Print collected access logs, oldest first; --follow keeps printing new ones.')
    .argument('[workload-regex]', "only workloads whose name matches this regular expression, as stern's pod query ('reviews-.*')")
    .option('-f, --follow', 'keep the connection open and print entries as they are collected; reconnects if the server restarts')
    .option('--last <n>', 'print the latest N entries (default 20; with --follow, before the new ones)')
    .option('--first <n>', 'print the oldest N entries of the range instead (reads the whole range: bound it with --since)')
    .option('--all', 'print every entry of the range, walking all pages');
  addFilterOptions(command, 'only entries that started before this (ignored with --follow)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(outputFormats).default('compact'))
    .option('--template <template>', 'print fields of each item instead, e.g. "{{.startTime}} {{.httpAccessLog.request.requestId}}"')
    .addOption(new Option('--time-format <format>', 'how times are printed, in UTC (names as in hubble)').choices(timeFormats).default('RFC3339Milli'))
    .addOption(new Option('--color <when>', 'colour the output; auto honours NO_COLOR and FORCE_COLOR').choices(['auto', 'always', 'never']).default('auto'));
  return addServerOptions(command).action(async (workloadRegex: string | undefined, flags: LogsFlags) => {
    const modes = [flags.follow && '--follow', flags.first !== undefined && '--first', flags.all && '--all'].filter(Boolean);
    if (flags.first !== undefined && (modes.length > 1 || flags.last !== undefined))
      throw new Error('--first cannot be combined with --last, --all or --follow');
    if (flags.all && (modes.length > 1 || flags.last !== undefined)) throw new Error('--all cannot be combined with --last, --first or --follow');
    if (flags.output === 'table' && flags.follow) throw new Error('-o table needs the whole list to size its columns; with --follow use -o wide');
    const count = (flag: string, text: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new Error(`${flag} must be a whole number from 0 to 10000, not "${text}"`);
      return n;
    };
    const params = filterParams({ ...flags, until: flags.follow ? undefined : flags.until });
    if (workloadRegex !== undefined) params.set('workloadRegex', workloadRegex);

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
    const items = flags.all
      ? await walk(flags, params, Infinity)
      : flags.first !== undefined
        ? await walk(flags, params, count('--first', flags.first))
        : await latest(flags, params, count('--last', flags.last ?? '20'));
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
