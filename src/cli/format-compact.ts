/**
 * One line per entry for `meshlog logs -o compact`, in the spirit of `hubble observe`:
 * time, workload, request, status, flags, duration, upstream, and the failure reason if any.
 */
import { responseFlags } from '../envoy/response-flags.js';

interface V1Item {
  startTime?: string;
  kind?: string;
  workloadRef?: { name?: string; namespace?: string; clusterName?: string };
  httpAccessLog?: HttpJson;
  tcpAccessLog?: TcpJson;
}

interface CommonJson {
  upstreamCluster?: string;
  upstreamTransportFailureReason?: string;
  responseFlags?: Record<string, unknown>;
  duration?: string;
  timeToLastDownstreamTxByte?: string;
  upstreamRemoteAddress?: { socketAddress?: { address?: string; portValue?: number } };
}

interface HttpJson {
  commonProperties?: CommonJson;
  request?: { requestMethod?: string; authority?: string; path?: string };
  response?: { responseCode?: number; responseCodeDetails?: string };
}

interface TcpJson {
  commonProperties?: CommonJson;
  connectionProperties?: { receivedBytes?: string; sentBytes?: string };
}

/** proto3 JSON field of `ResponseFlags` (camelCase, as protobufjs names it) → Envoy's short code. */
const flagCodes = new Map(responseFlags.filter((f) => f.field !== null).map((f) => [f.field, f.code]));

export function formatCompact(item: unknown, color: boolean): string {
  const it = item as V1Item;
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const ref = it.workloadRef ?? {};
  const who = [ref.clusterName, ref.namespace, ref.name].filter(Boolean).join('/');
  const common = (it.httpAccessLog ?? it.tcpAccessLog)?.commonProperties ?? {};
  const flags = Object.keys(common.responseFlags ?? {})
    .map((k) => flagCodes.get(k) ?? k)
    .join(',');
  const duration = durationMs(common.duration ?? common.timeToLastDownstreamTxByte);
  const parts = [paint('2', it.startTime ?? '-'), paint('1', who || '-')];
  if (it.httpAccessLog) {
    const { request = {}, response = {} } = it.httpAccessLog;
    const code = response.responseCode ?? 0;
    parts.push(`${request.requestMethod ?? '-'} ${request.authority ?? ''}${request.path ?? ''}`);
    parts.push(paint(code >= 500 || code === 0 ? '31' : code >= 400 ? '33' : '32', String(code || '-')));
    if (response.responseCodeDetails) parts.push(response.responseCodeDetails);
  } else {
    const c = it.tcpAccessLog?.connectionProperties ?? {};
    parts.push(`TCP rx=${c.receivedBytes ?? 0}B tx=${c.sentBytes ?? 0}B`);
  }
  if (flags) parts.push(paint('31', flags));
  if (duration !== undefined) parts.push(`${duration}ms`);
  if (common.upstreamCluster) parts.push(`→ ${common.upstreamCluster}`);
  if (common.upstreamTransportFailureReason) parts.push(paint('31', `"${common.upstreamTransportFailureReason}"`));
  return parts.join(' ');
}

function durationMs(text: string | undefined): number | undefined {
  if (!text?.endsWith('s')) return undefined;
  return Math.round(Number(text.slice(0, -1)) * 1000);
}
