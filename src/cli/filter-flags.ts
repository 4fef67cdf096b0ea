/**
 * The entry filters `meshlog logs` and `meshlog top` share (`--selector`, `--cluster`, `--status`,
 * ...), as commander options and as the `/api/v1` query parameters they become.
 */
import type { Command } from 'commander';

export interface FilterFlags {
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
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addFilterOptions(command: Command, untilHelp = 'only entries that started before this'): Command {
  return command
    .option('--since <time>', 'only entries that started after this (15m, 2h, or RFC 3339)')
    .option('--until <time>', untilHelp)
    .option('-l, --selector <label=value>', 'workload label, repeatable (all must match)', collect, [])
    .option('--cluster <name>', 'cluster, repeatable', collect, [])
    .option('-n, --namespace <name>', 'namespace, repeatable', collect, [])
    .option('--workload <name>', 'workload (Deployment-like) name, repeatable', collect, [])
    .option('--status <code>', 'status: 503, 5xx or 500-599, repeatable', collect, [])
    .option('--method <method>', 'HTTP method, repeatable', collect, [])
    .option('--path <prefix>', 'request path prefix')
    .option('--path-regex <regex>', 'request path regular expression')
    .option('--flags <code>', 'Envoy response flag (UF, URX, ...) or "any", repeatable', collect, [])
    .option('--min-duration <duration>', 'only requests that took at least this long (250ms, 2s)');
}

/** The flags as `/api/v1/logs` and `/api/v1/stats` parameters. */
export function filterParams(flags: FilterFlags, params = new URLSearchParams()): URLSearchParams {
  const add = (name: string, values: string[]) => {
    for (const v of values) params.append(name, v);
  };
  if (flags.since) params.set('since', flags.since);
  if (flags.until) params.set('until', flags.until);
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
  return params;
}
