/**
 * Accessors over decoded ALS entries (protobufjs messages), for the ingest hot path and the
 * formatter: times, durations, methods, addresses and the store's filter columns.
 *
 * protobufjs keeps unset fields' defaults on the message prototype, so a missing message field
 * reads as null and a missing scalar as its zero value; these accessors map both to "absent".
 */

import type { DecodedEntry, EntryKind } from '../model/entry.js';
import { responseFlagList } from './response-flags.js';

/** A 64-bit integer as protobufjs gives it: a number, or a Long when it does not fit. */
export type Int64 = number | string | { toNumber(): number };

interface Seconds {
  seconds?: Int64;
  nanos?: number;
}

export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/** A `google.protobuf.Timestamp` in microseconds since the epoch, or null when unset. */
export function timestampMicros(ts: unknown): number | null {
  if (!ts) return null;
  const t = ts as Seconds;
  return int64ToNumber(t.seconds) * 1_000_000 + Math.floor((t.nanos ?? 0) / 1000);
}

/** A `google.protobuf.Duration` in microseconds, or null when unset. */
export function durationMicros(d: unknown): number | null {
  if (!d) return null;
  const v = d as Seconds;
  return int64ToNumber(v.seconds) * 1_000_000 + Math.trunc((v.nanos ?? 0) / 1000);
}

/** Whole milliseconds, as Envoy's `%DURATION%` prints them, or null when unset. */
export function durationMillis(d: unknown): number | null {
  if (!d) return null;
  const v = d as Seconds;
  return int64ToNumber(v.seconds) * 1000 + Math.trunc((v.nanos ?? 0) / 1_000_000);
}

interface Common {
  upstreamTransportFailureReason?: string;
  startTime?: unknown;
  duration?: unknown;
  timeToLastDownstreamTxByte?: unknown;
  upstreamCluster?: string;
  responseFlags?: Record<string, unknown> | null;
}

export function entryStartMicros(common: unknown): number | null {
  return timestampMicros((common as Common | null | undefined)?.startTime);
}

/** `duration` (Envoy ≥ 1.27), else `time_to_last_downstream_tx_byte` as older Envoys report it. */
export function entryDurationMicros(common: unknown): number | null {
  const c = common as Common | null | undefined;
  if (!c) return null;
  return durationMicros(c.duration) ?? durationMicros(c.timeToLastDownstreamTxByte);
}

/** `envoy.config.core.v3.RequestMethod` by number. */
const methods = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

export function requestMethodName(request: unknown): string | null {
  const m = (request as { requestMethod?: number } | null | undefined)?.requestMethod;
  return m ? (methods[m] ?? null) : null;
}

/** `HTTPAccessLogEntry.HTTPVersion` → what `%PROTOCOL%` prints. */
const protocols = [null, 'HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/3'];

export function httpProtocolName(protocolVersion: unknown): string | null {
  return typeof protocolVersion === 'number' ? (protocols[protocolVersion] ?? null) : null;
}

interface DecodedAddress {
  socketAddress?: { address?: string; portValue?: number; namedPort?: string } | null;
  pipe?: { path?: string } | null;
  envoyInternalAddress?: { serverListenerName?: string } | null;
}

export function socketAddressParts(address: unknown): { address: string; port: number } | null {
  const a = address as DecodedAddress | null | undefined;
  if (a?.socketAddress) return { address: a.socketAddress.address ?? '', port: a.socketAddress.portValue ?? 0 };
  return null;
}

/** The port of a socket address, or null for other addresses and when unset. */
export function addressPort(address: unknown): number | null {
  const socket = (address as DecodedAddress | null | undefined)?.socketAddress;
  return socket ? (socket.portValue ?? 0) : null;
}

/** `10.0.0.1:9080`, `[::1]:9080`, or the pipe path; null when unset. */
export function formatAddress(address: unknown, withPort: boolean): string | null {
  const a = address as DecodedAddress | null | undefined;
  if (!a) return null;
  // Read the socket address in place rather than through socketAddressParts: no object per call.
  const socket = a.socketAddress;
  if (socket) {
    const ip = socket.address ?? '';
    if (!withPort) return ip;
    const port = socket.portValue ?? 0;
    return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  }
  if (a.pipe?.path) return a.pipe.path;
  if (a.envoyInternalAddress?.serverListenerName) return `envoy://${a.envoyInternalAddress.serverListenerName}`;
  return null;
}

export interface EntryColumns {
  readonly ts: number;
  readonly method: string | null;
  readonly authority: string | null;
  readonly path: string | null;
  readonly status: number | null;
  readonly durationUs: number | null;
  readonly responseFlags: string;
  readonly upstreamCluster: string | null;
  readonly requestId: string | null;
  /** Body bytes (HTTP) or connection bytes (TCP), as `%BYTES_RECEIVED%` / `%BYTES_SENT%`. */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly upstreamFailure: string | null;
}

interface HttpParts {
  request?: { authority?: string; path?: string; requestId?: string; requestBodyBytes?: Int64 } | null;
  response?: { responseCode?: { value?: number } | null; responseBodyBytes?: Int64 } | null;
  connectionProperties?: { receivedBytes?: Int64; sentBytes?: Int64 } | null;
}

/** The store's filter columns of one entry. An entry without a start time is stamped `fallbackTs` (µs). */
export function entryColumns(kind: EntryKind, entry: DecodedEntry, fallbackTs?: number): EntryColumns {
  // One object literal of one shape: this runs for every entry received.
  const common = entry['commonProperties'] as Common | null | undefined;
  const flags = common?.responseFlags ? responseFlagList(common.responseFlags) : noFlags;
  const http = kind === 'http';
  const parts = entry as HttpParts;
  const request = http ? parts.request : null;
  const response = http ? parts.response : null;
  const code = response?.responseCode;
  const connection = http ? null : parts.connectionProperties;
  return {
    ts: entryStartMicros(common) ?? fallbackTs ?? Date.now() * 1000,
    method: http ? requestMethodName(request) : null,
    authority: request?.authority || null,
    path: request?.path || null,
    status: code ? (code.value ?? 0) : null,
    durationUs: entryDurationMicros(common),
    responseFlags: flags.length === 0 ? '' : flags.length === 1 ? flags[0]! : flags.join(','),
    upstreamCluster: common?.upstreamCluster || null,
    requestId: request?.requestId || null,
    bytesReceived: int64ToNumber(http ? request?.requestBodyBytes : connection?.receivedBytes),
    bytesSent: int64ToNumber(http ? response?.responseBodyBytes : connection?.sentBytes),
    upstreamFailure: common?.upstreamTransportFailureReason || null,
  };
}

const noFlags: readonly string[] = [];
