/**
 * `meshlog logs`: the latest entries, or a live tail with `--follow`, filtered like `hubble observe`.
 */
import { Command, Option } from 'commander';
import { addServerOptions, errorMessage, ndjsonLines, request, type ServerFlags } from './api-client.js';
import { type FilterFlags, addFilterOptions, filterParams } from './filter-flags.js';
import { formatCompact } from './format-compact.js';

interface LogsFlags extends ServerFlags, FilterFlags {
  follow?: boolean;
  last: string;
  output: 'compact' | 'json';
  color: 'auto' | 'always' | 'never';
}

export function logsCommand(): Command {
  const command = new Command('logs')
    .description('Print collected access logs, newest last; --follow keeps printing new ones.')
    .option('-f, --follow', 'keep the connection open and print entries as they are collected')
    .option('--last <n>', 'how many of the latest entries to print first', '20');
  addFilterOptions(command, 'only entries that started before this (ignored with --follow)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['compact', 'json']).default('compact'))
    .addOption(new Option('--color <when>', 'colour the compact output').choices(['auto', 'always', 'never']).default('auto'));
  return addServerOptions(command).action(async (flags: LogsFlags) => {
    const last = Number(flags.last);
    if (!Number.isInteger(last) || last < 0) throw new Error(`--last must be a whole number, not "${flags.last}"`);
    const params = filterParams({ ...flags, until: flags.follow ? undefined : flags.until }, new URLSearchParams({ limit: String(last) }));
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
