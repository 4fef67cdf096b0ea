/**
 * One line per entry for `meshlog logs`, read as an edge (in the spirit of `hubble observe`):
 *
 *   TIME CLUSTER SOURCE → DESTINATION REQUEST STATUS FLAGS "REASON" DURATION
 *   2026-11-23T14:31:02.117Z remote-cluster bookinfo/productpage-v1 → ratings:9080 GET /ratings/0 503 UF "TLS error: …" 2ms
 *
 * `-o wide` adds the direction, Envoy's `responseCodeDetails`, the upstream cluster (shortened)
 * and the request id, so that `meshlog trace ID` is one copy away. The compact line leaves
 * `responseCodeDetails` out when it only says what the flags and the reason already say.
 */
import { responseFlags } from '../envoy/response-flags.js';
import { type Paint, plain } from './color.js';
import { formatTime, type TimeFormat } from './time-format.js';

/** The parts of an `/api/v1` item that the line shows. */
export interface V1Item {
  startTime?: string;
  kind?: string;
  direction?: 'inbound' | 'outbound';
  workloadRef?: { name?: string; namespace?: string; clusterName?: string };
  source?: End;
  destination?: End;
  httpAccessLog?: HttpJson;
  tcpAccessLog?: TcpJson;
}

export interface End {
  cluster?: string;
  namespace?: string;
  workload?: string;
  ip?: string;
  port?: number;
  service?: string;
}

interface CommonJson {
  startTime?: string;
  upstreamCluster?: string;
  upstreamTransportFailureReason?: string;
  responseFlags?: Record<string, unknown>;
  duration?: string;
  timeToLastDownstreamTxByte?: string;
  upstreamRequestAttemptCount?: number;
}

interface HttpJson {
  commonProperties?: CommonJson;
  request?: { requestMethod?: string; authority?: string; path?: string; requestId?: string };
  response?: { responseCode?: number; responseCodeDetails?: string };
}

interface TcpJson {
  commonProperties?: CommonJson;
  connectionProperties?: { receivedBytes?: string; sentBytes?: string };
}

export interface LineOptions {
  readonly paint?: Paint;
  readonly timeFormat?: TimeFormat;
  readonly wide?: boolean;
}

/** proto3 JSON field of `ResponseFlags` (camelCase, as protobufjs names it) → Envoy's short code. */
const flagCodes = new Map(responseFlags.filter((f) => f.field !== null).map((f) => [f.field, f.code]));

export function commonOf(it: V1Item): CommonJson {
  return (it.httpAccessLog ?? it.tcpAccessLog)?.commonProperties ?? {};
}

export function flagsOf(it: V1Item): string[] {
  return Object.keys(commonOf(it).responseFlags ?? {}).map((k) => flagCodes.get(k) ?? k);
}

/** Milliseconds of a proto3 JSON Duration (`"0.002300s"`), rounded to a tenth below 10 ms. */
export function durationMs(text: string | undefined): number | undefined {
  if (!text?.endsWith('s')) return undefined;
  const ms = Number(text.slice(0, -1)) * 1000;
  return ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms);
}

export function formatLine(item: unknown, options: LineOptions = {}): string {
  const it = item as V1Item;
  const paint = options.paint ?? plain;
  const common = commonOf(it);
  const flags = flagsOf(it);
  const reason = common.upstreamTransportFailureReason;
  const time = formatTime(common.startTime ?? it.startTime, options.timeFormat ?? 'RFC3339Milli');
  const parts = [paint.dim(time), it.workloadRef?.clusterName || '-', edge(it, paint)];
  if (it.httpAccessLog) {
    const { request = {}, response = {} } = it.httpAccessLog;
    parts.push(`${request.requestMethod ?? '-'} ${request.path ?? ''}`);
    parts.push(paint.status(response.responseCode ?? 0));
    if (flags.length > 0) parts.push(paint.error(flags.join(',')));
    if (reason) parts.push(paint.error(`"${reason}"`));
    const details = response.responseCodeDetails;
    if (details && (options.wide || !restates(details, flags, reason))) parts.push(details);
  } else {
    const c = it.tcpAccessLog?.connectionProperties ?? {};
    parts.push(`TCP rx=${c.receivedBytes ?? 0}B tx=${c.sentBytes ?? 0}B`);
    if (flags.length > 0) parts.push(paint.error(flags.join(',')));
    if (reason) parts.push(paint.error(`"${reason}"`));
  }
  const duration = durationMs(common.duration ?? common.timeToLastDownstreamTxByte);
  if (duration !== undefined) parts.push(`${duration}ms`);
  if (options.wide) {
    if (it.direction) parts.push(it.direction);
    const attempts = common.upstreamRequestAttemptCount ?? 1;
    if (attempts > 1) parts.push(`attempts=${attempts}`);
    if (common.upstreamCluster) parts.push(`via=${shortenCluster(common.upstreamCluster)}`);
    const id = it.httpAccessLog?.request?.requestId;
    if (id) parts.push(`id=${id}`);
  }
  return parts.join(' ');
}

/** `SOURCE → DESTINATION`, each end as far as it is known; each workload in its own colour. */
export function edge(it: V1Item, paint: Paint = plain): string {
  const reporter = { cluster: it.workloadRef?.clusterName, namespace: it.workloadRef?.namespace, workload: it.workloadRef?.name };
  if (!it.direction || !it.source || !it.destination) return `${paint.workload(endName(reporter, undefined))} (direction unknown)`;
  const { source, destination } = it;
  const from = paint.workload(endName(source, undefined));
  const sameCluster = !destination.cluster || !source.cluster || destination.cluster === source.cluster;
  let to: string;
  if (it.direction === 'outbound' && destination.service) to = shortService(destination.service, source.namespace);
  else to = endName(destination, source.namespace);
  if (!sameCluster) to = `${destination.cluster}/${to}`;
  const port = destination.port ? `:${destination.port}` : '';
  return `${from} → ${paint.workload(to)}${port}`;
}

/** `ns/workload`, without the namespace when it is `relativeTo`; else the IP; else `-`. */
function endName(end: End, relativeTo: string | undefined): string {
  if (end.workload) return end.namespace && end.namespace !== relativeTo ? `${end.namespace}/${end.workload}` : end.workload;
  if (end.service) return shortService(end.service, relativeTo);
  if (end.ip) return end.namespace && end.namespace !== relativeTo ? `${end.namespace}/${end.ip}` : end.ip;
  return '-';
}

/** `ratings.bookinfo` called from `bookinfo` is `ratings`. */
function shortService(service: string, namespace: string | undefined): string {
  return namespace && service.endsWith(`.${namespace}`) ? service.slice(0, -namespace.length - 1) : service;
}

/** `outbound|9080||ratings.bookinfo.svc.cluster.local` → `ratings.bookinfo:9080`; `inbound|9080||` → `inbound:9080`. */
export function shortenCluster(name: string): string {
  const istio = /^(inbound|outbound)\|(\d+)\|([^|]*)\|(.*)$/.exec(name);
  if (!istio) return name;
  const [, direction, port, subset, host] = istio;
  if (!host) return `${direction}:${port}`;
  const service = host.replace(/\.svc(\.cluster\.local)?$/, '');
  return `${service}${subset ? `/${subset}` : ''}:${port}`;
}

/**
 * Envoy's `responseCodeDetails` that only restate the flags or the failure reason: the normal
 * `via_upstream`, and resets whose reasons are the flags (`connection_failure` is UF) plus the
 * transport failure reason with `_` for spaces.
 */
const detailFlags: Record<string, string> = {
  connection_failure: 'UF',
  connection_termination: 'UC',
  overflow: 'UO',
  remote_reset: 'UR',
  local_reset: 'LR',
  protocol_error: 'UPE',
  response_timeout: 'UT',
  upstream_per_try_timeout: 'UT',
  no_healthy_upstream: 'UH',
  route_not_found: 'NR',
  cluster_not_found: 'NC',
  upstream_max_stream_duration_reached: 'UMSDR',
  downstream_remote_disconnect: 'DC',
  request_rate_limited: 'RL',
};

export function restates(details: string, flags: readonly string[], reason: string | undefined): boolean {
  if (details === 'via_upstream') return true;
  if (detailFlags[details] !== undefined) return flags.includes(detailFlags[details]!);
  const m = /^upstream_reset_(?:before|after)_response_started\{(.*)\}$/.exec(details);
  if (!m) return false;
  const said = reason?.replace(/ /g, '_');
  return m[1]!.split(',').every((part) => (detailFlags[part] !== undefined && flags.includes(detailFlags[part]!)) || part === said);
}
