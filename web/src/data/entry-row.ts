/**
 * What the views need of one `/api/v1/logs` item, read once when it arrives: the table's columns,
 * both ends of the call, the cause of a failure. The item's own text is kept beside it for the
 * detail view, which shows the entry exactly as the API sent it (proto3 JSON).
 */
import { responseFlagList } from '../../../src/envoy/response-flags.js';

/** One end of the call as `/api/v1/logs` items carry it (`source`, `destination`). */
export interface ItemEnd {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly workload?: string;
  readonly ip?: string;
  readonly port?: number;
  readonly service?: string;
}

/** The parts of an `/api/v1/logs` item that the viewer reads. */
export interface LogItem {
  readonly id?: string;
  readonly startTime: string;
  readonly kind: 'http' | 'tcp';
  readonly workloadRef: { readonly name?: string; readonly namespace?: string; readonly clusterName?: string };
  readonly instance: string;
  readonly direction?: 'inbound' | 'outbound';
  readonly source?: ItemEnd;
  readonly destination?: ItemEnd;
  readonly httpAccessLog?: Record<string, unknown>;
  readonly tcpAccessLog?: Record<string, unknown>;
}

export interface EntryRow {
  /** Position in arrival order; the table's key. */
  readonly seq: number;
  /** The item as the API sent it. */
  readonly text: string;
  readonly id: string | null;
  readonly timeMs: number;
  readonly kind: 'http' | 'tcp';
  /** The proxy that reported the entry. */
  readonly cluster: string;
  readonly namespace: string;
  readonly workload: string;
  readonly instance: string;
  readonly direction: 'inbound' | 'outbound' | null;
  readonly source: ItemEnd;
  readonly destination: ItemEnd;
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  readonly status: number | null;
  readonly flags: readonly string[];
  readonly durationMs: number | null;
  /** `upstreamTransportFailureReason`: why the connection to the upstream failed. */
  readonly reason: string;
  readonly details: string;
  readonly requestId: string;
  readonly upstreamCluster: string;
  readonly attempts: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** A 5xx or any response flag: the rows painted red. */
  readonly failed: boolean;
}

/** A proto3 JSON field that should be a string, or '' when absent (or not a string). */
function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function rowOf(item: LogItem, text: string, seq: number): EntryRow {
  const log = item.httpAccessLog ?? item.tcpAccessLog ?? {};
  const common = (log['commonProperties'] ?? {}) as Record<string, unknown>;
  const request = (log['request'] ?? {}) as Record<string, unknown>;
  const response = (log['response'] ?? {}) as Record<string, unknown>;
  const connection = (log['connectionProperties'] ?? {}) as Record<string, unknown>;
  const status = typeof response['responseCode'] === 'number' ? response['responseCode'] : null;
  const flags = responseFlagList(common['responseFlags'] as Record<string, unknown> | undefined);
  const tcp = item.kind === 'tcp';
  return {
    seq,
    text,
    id: item.id ?? null,
    timeMs: Date.parse(item.startTime),
    kind: item.kind,
    cluster: item.workloadRef.clusterName ?? '',
    namespace: item.workloadRef.namespace ?? '',
    workload: item.workloadRef.name ?? '',
    instance: item.instance,
    direction: item.direction ?? null,
    source: item.source ?? {},
    destination: item.destination ?? {},
    method: str(request['requestMethod']),
    path: str(request['path']),
    authority: str(request['authority']),
    status,
    flags,
    durationMs: durationMs(common['duration']),
    reason: str(common['upstreamTransportFailureReason']),
    details: str(response['responseCodeDetails']),
    requestId: str(request['requestId']),
    upstreamCluster: str(common['upstreamCluster']),
    attempts: Number(common['upstreamRequestAttemptCount'] ?? 1),
    bytesReceived: Number(tcp ? (connection['receivedBytes'] ?? 0) : (request['requestBodyBytes'] ?? 0)),
    bytesSent: Number(tcp ? (connection['sentBytes'] ?? 0) : (response['responseBodyBytes'] ?? 0)),
    failed: (status !== null && status >= 500) || flags.length > 0,
  };
}

/** Parses one NDJSON line of `/api/v1/logs`; null for a line that is not an entry (`{"lost": N}`). */
export function parseItem(text: string): LogItem | null {
  const value = JSON.parse(text) as Partial<LogItem> & { lost?: number };
  return typeof value.startTime === 'string' && value.workloadRef ? (value as LogItem) : null;
}

/** A proto3 JSON Duration (`"0.039300053s"`) in milliseconds. */
export function durationMs(value: unknown): number | null {
  if (typeof value !== 'string' || !value.endsWith('s')) return null;
  const seconds = Number(value.slice(0, -1));
  return Number.isFinite(seconds) ? seconds * 1000 : null;
}

/**
 * How an end is named on screen: its workload, else the service called, else its address. A
 * caller's port is left out: it is a new one for each connection.
 */
export function endName(end: ItemEnd, side: 'source' | 'destination' = 'destination'): string {
  if (end.workload) return end.workload;
  if (end.service) return end.service;
  if (end.ip) return end.port && side === 'destination' ? `${end.ip}:${end.port}` : end.ip;
  return 'unknown';
}

/** A stable key for an end, across clusters (`remote-cluster/bookinfo/ratings-v1`). */
export function endKey(end: ItemEnd): string {
  if (end.workload) return `${end.cluster ?? ''}/${end.namespace ?? ''}/${end.workload}`;
  if (end.service) return `service:${end.service}`;
  return `address:${end.ip ?? 'unknown'}`;
}
