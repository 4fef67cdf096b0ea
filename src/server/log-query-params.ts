/**
 * `GET /api/v1/logs` query parameters → a store `LogQuery`, with a violation per bad parameter.
 *
 * Repeatable parameters also take comma-separated lists: `cluster=a,b` is `cluster=a&cluster=b`.
 * Names are camelCase (`pathRegex`, `fromWorkload`), singular for repeatable ones (`cluster`,
 * `toService`); each is the CLI flag of `meshlog logs` without its dashes (`--from-workload`).
 * The same semantics are evaluated in memory for live entries (`store/row-match.ts`), so a
 * followed stream shows exactly what a later query would return.
 */

import { responseFlagCodes } from '../envoy/response-flags.js';
import { createViolations, type Violation } from '../model/violations.js';
import type { LogQuery, StatusRange } from '../store/types.js';
import { parseDuration, parseTimePoint } from '../util/duration.js';
import { checkRegex } from '../util/re2.js';

export interface LogsRequest {
  readonly query: LogQuery;
  readonly format: 'json' | 'ndjson';
  readonly follow: boolean;
}

export const defaultLimit = 100;
export const maxLimit = 10_000;

const known = new Set([
  'since',
  'until',
  'limit',
  'cursor',
  'cluster',
  'namespace',
  'workload',
  'label',
  'selector',
  'status',
  'method',
  'path',
  'pathRegex',
  'flags',
  'minDuration',
  'kind',
  'format',
  'follow',
  'direction',
  'fromWorkload',
  'fromNamespace',
  'toWorkload',
  'toNamespace',
  'toService',
  'requestId',
  'authority',
  'workloadRegex',
]);

export function parseLogsParams(
  params: URLSearchParams,
  now: number = Date.now(),
): { ok: true; request: LogsRequest } | { ok: false; violations: readonly Violation[] } {
  const v = createViolations();
  for (const key of params.keys()) if (!known.has(key)) v.add(key, `unknown parameter (known: ${[...known].join(', ')})`);
  const list = (name: string) =>
    params
      .getAll(name)
      .flatMap((p) => p.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const single = (name: string) => params.get(name) ?? undefined;

  const time = (name: string): number | undefined => {
    const text = single(name);
    if (text === undefined) return undefined;
    const ms = parseTimePoint(text, now);
    if (ms === undefined) v.add(name, `"${text}" is neither a duration like 15m, Unix seconds, nor an RFC 3339 time (UTC when it has no zone)`);
    return ms === undefined ? undefined : ms * 1000;
  };

  let limit = defaultLimit;
  const limitText = single('limit');
  if (limitText !== undefined) {
    const n = Number(limitText);
    if (!Number.isInteger(n) || n < 0 || n > maxLimit) v.add('limit', `must be an integer from 0 to ${maxLimit}`);
    else limit = n;
  }

  const labels: Record<string, string> = {};
  for (const pair of [...list('label'), ...list('selector')]) {
    const eq = pair.indexOf('=');
    if (eq <= 0) v.add('label', `"${pair}" is not of the form name=value`);
    else labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  const status: StatusRange[] = [];
  for (const s of list('status')) {
    const range = parseStatus(s);
    if (range) status.push(range);
    else v.add('status', `"${s}" is not a status code (503), a class (5xx) or a range (500-599)`);
  }

  const flags = list('flags');
  for (const f of flags) if (f !== 'any' && !responseFlagCodes.has(f)) v.add('flags', `"${f}" is not an Envoy response flag (UF, URX, NR, ...) or "any"`);

  let minDurationUs: number | undefined;
  const minDuration = single('minDuration');
  if (minDuration !== undefined) {
    const ms = parseDuration(minDuration);
    if (ms === undefined) v.add('minDuration', `"${minDuration}" is not a duration like 250ms or 2s`);
    else minDurationUs = ms * 1000;
  }

  // Both as RE2 (linear time), as the stores evaluate them.
  const regex = (name: string) => {
    const text = single(name);
    const problem = text === undefined ? undefined : checkRegex(text, name, 'search')[0];
    if (problem) v.add(problem.field, problem.message);
    return text;
  };
  const pathRegex = regex('pathRegex');
  const workloadRegex = regex('workloadRegex');
  const direction = single('direction');
  if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound') v.add('direction', 'must be inbound or outbound');

  const kind = single('kind');
  if (kind !== undefined && kind !== 'http' && kind !== 'tcp') v.add('kind', 'must be http or tcp');
  const format = single('format') ?? 'json';
  if (format !== 'json' && format !== 'ndjson') v.add('format', 'must be json or ndjson');
  const followText = single('follow');
  const follow = followText !== undefined && followText !== '0' && followText !== 'false';

  const since = time('since');
  const until = time('until');
  if (!v.ok) return { ok: false, violations: v.list };
  const query: LogQuery = {
    limit,
    since,
    until,
    cursor: single('cursor'),
    clusters: nonEmpty(list('cluster')),
    namespaces: nonEmpty(list('namespace')),
    workloads: nonEmpty(list('workload')),
    labels: Object.keys(labels).length ? labels : undefined,
    status: status.length ? status : undefined,
    methods: nonEmpty(list('method').map((m) => m.toUpperCase())),
    pathPrefix: single('path'),
    pathRegex,
    responseFlags: flags.length ? flags.map((f) => (f === 'any' ? '' : f)) : undefined,
    minDurationUs,
    kind: kind as LogQuery['kind'],
    direction: direction as LogQuery['direction'],
    fromWorkloads: nonEmpty(list('fromWorkload')),
    fromNamespaces: nonEmpty(list('fromNamespace')),
    toWorkloads: nonEmpty(list('toWorkload')),
    toNamespaces: nonEmpty(list('toNamespace')),
    toServices: nonEmpty(list('toService')),
    requestIds: nonEmpty(list('requestId')),
    authorities: nonEmpty(list('authority')),
    workloadRegex,
  };
  // A followed stream is always NDJSON.
  return { ok: true, request: { query, format: follow ? 'ndjson' : (format as 'json' | 'ndjson'), follow } };
}

function nonEmpty(values: string[]): string[] | undefined {
  return values.length ? values : undefined;
}

/** `503` → [503,503]; `5xx` → [500,599]; `500-599` → itself. */
export function parseStatus(text: string): StatusRange | undefined {
  if (/^\d{3}$/.test(text)) return { min: Number(text), max: Number(text) };
  const cls = /^([1-5])xx$/i.exec(text);
  if (cls) return { min: Number(cls[1]) * 100, max: Number(cls[1]) * 100 + 99 };
  const range = /^(\d{3})-(\d{3})$/.exec(text);
  if (range && Number(range[1]) <= Number(range[2])) return { min: Number(range[1]), max: Number(range[2]) };
  return undefined;
}
