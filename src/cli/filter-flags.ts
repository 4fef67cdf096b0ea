/**
 * The entry filters `meshlog logs` and `meshlog top` share (`--selector`, `--from-workload`,
 * `--to-service`, `--status`, ...), as commander options and as the `/api/v1` query parameters
 * they become: each flag is the parameter of the same name in camelCase (`--from-workload` is
 * `fromWorkload`), and `filterFlagNames` turns a parameter back into the flag for error messages.
 */
import { type Command, Option } from 'commander';

export interface FilterFlags {
  since?: string;
  until?: string;
  path?: string;
  pathRegex?: string;
  minDuration?: string;
  direction?: string;
  kind?: string;
  [list: string]: unknown;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Repeatable filters: commander's key, the option, its help, the API parameter. */
const listFilters: ReadonlyArray<[key: string, option: string, help: string, param: string]> = [
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

/** Single-valued filters: commander's key → API parameter. */
const singleFilters: ReadonlyArray<[key: keyof FilterFlags & string, param: string]> = [
  ['since', 'since'],
  ['until', 'until'],
  ['path', 'path'],
  ['pathRegex', 'pathRegex'],
  ['minDuration', 'minDuration'],
  ['direction', 'direction'],
  ['kind', 'kind'],
];

/** API parameter → what the user typed, for error messages. */
export const filterFlagNames: Readonly<Record<string, string>> = {
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

const timeHelp = '15m, 2h, Unix seconds, or RFC 3339 (a time without a zone is UTC)';

export function addFilterOptions(command: Command, untilHelp = 'only entries that started before this'): Command {
  command.option('--since <time>', `only entries that started at or after this: ${timeHelp}`).option('--until <time>', `${untilHelp}; same forms`);
  for (const [, option, help] of listFilters) command.option(option, help, collect, []);
  return command
    .option('--path <prefix>', 'request path prefix')
    .option('--path-regex <regex>', 'request path regular expression')
    .option('--min-duration <duration>', 'only requests that took at least this long (250ms, 2s)')
    .addOption(new Option('--direction <direction>', 'as the reporting proxy saw it').choices(['inbound', 'outbound']))
    .addOption(new Option('--kind <kind>', 'http or tcp entries only').choices(['http', 'tcp']));
}

/** The flags as `/api/v1/logs` and `/api/v1/stats` parameters. */
export function filterParams(flags: FilterFlags, params = new URLSearchParams()): URLSearchParams {
  for (const [key, , , param] of listFilters) for (const value of (flags[key] as string[] | undefined) ?? []) params.append(param, value);
  for (const [key, param] of singleFilters) {
    const value = flags[key];
    if (typeof value === 'string' && value !== '') params.set(param, value);
  }
  return params;
}
