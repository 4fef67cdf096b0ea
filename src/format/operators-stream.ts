/**
 * Operators on stream info: time, durations, byte counts, status, response flags, routing,
 * addresses and the odds and ends (`HOSTNAME`, `ENVIRONMENT`, `ACCESS_LOG_TYPE`, ...).
 */
import { randomUUID } from 'node:crypto';
import { addressPort, durationMillis, formatAddress, httpProtocolName, type Int64, int64ToNumber } from '../envoy/entry-fields.js';
import { responseFlags } from '../envoy/response-flags.js';
import { type AlsCommon, asEntry, commonOf, type OperatorDef, simple, text, unsupported } from './als-entry.js';
import { compileTimeFormat, defaultStartTimeFormat } from './start-time.js';
import type { Evaluator } from './types.js';

interface Seconds {
  seconds?: Int64;
  nanos?: number;
}

const startTime: OperatorDef = {
  args: 'optional',
  build(arg) {
    const formatter = compileTimeFormat(arg ? arg : defaultStartTimeFormat);
    if (typeof formatter === 'string') return formatter;
    return (entry) => {
      const ts = commonOf(entry)?.startTime as Seconds | null | undefined;
      if (!ts) return null;
      return formatter(int64ToNumber(ts.seconds), ts.nanos ?? 0);
    };
  },
};

const millis =
  (field: keyof AlsCommon): Evaluator =>
  (entry) =>
    durationMillis(commonOf(entry)?.[field]);

/** `DURATION`: `duration`, else `time_to_last_downstream_tx_byte` from Envoys older than 1.27. */
const duration: Evaluator = (entry) => {
  const c = commonOf(entry);
  if (!c) return null;
  return durationMillis(c.duration) ?? durationMillis(c.timeToLastDownstreamTxByte);
};

/** `RESPONSE_TX_DURATION`: first upstream byte received to last downstream byte sent. */
const responseTxDuration: Evaluator = (entry) => {
  const c = commonOf(entry);
  const last = durationMillis(c?.timeToLastDownstreamTxByte);
  const first = durationMillis(c?.timeToFirstUpstreamRxByte);
  return last === null || first === null ? null : last - first;
};

const commonCount =
  (field: 'downstreamWireBytesSent' | 'downstreamWireBytesReceived' | 'upstreamWireBytesSent' | 'upstreamWireBytesReceived'): Evaluator =>
  (entry) => {
    const c = commonOf(entry);
    return c ? int64ToNumber(c[field]) : null;
  };

/** Byte counts of an HTTP request or response: absent (not 0) on TCP entries, which have neither. */
const requestCount =
  (field: 'requestHeadersBytes' | 'requestBodyBytes' | 'upstreamHeaderBytesSent' | 'downstreamHeaderBytesReceived'): Evaluator =>
  (entry) => {
    const r = asEntry(entry).request;
    return r ? int64ToNumber(r[field]) : null;
  };
const responseCount =
  (field: 'responseHeadersBytes' | 'responseBodyBytes' | 'upstreamHeaderBytesReceived' | 'downstreamHeaderBytesSent'): Evaluator =>
  (entry) => {
    const e = asEntry(entry);
    if (e.response) return int64ToNumber(e.response[field]);
    // An HTTP entry without a response (reset before one started) has sent nothing.
    return e.request ? 0 : null;
  };

/** `BYTES_RECEIVED` / `BYTES_SENT`: body bytes for HTTP, connection bytes for TCP. */
const bytes =
  (direction: 'received' | 'sent'): Evaluator =>
  (entry, context) => {
    const e = asEntry(entry);
    if (context.kind === 'tcp') {
      const p = e.connectionProperties;
      return int64ToNumber(direction === 'received' ? p?.receivedBytes : p?.sentBytes);
    }
    return int64ToNumber(direction === 'received' ? e.request?.requestBodyBytes : e.response?.responseBodyBytes);
  };

/** `RESPONSE_CODE`: Envoy prints 0 when no response was started, and for TCP. */
const responseCode: Evaluator = (entry) => asEntry(entry).response?.responseCode?.value ?? 0;

const flagsWithField = responseFlags.filter((f) => f.field !== null);

/** `-` is what Envoy itself returns when no flag is set, so it is a value, not a missing one. */
const flags =
  (long: boolean): Evaluator =>
  (entry) => {
    const set = commonOf(entry)?.responseFlags;
    if (!set) return '-';
    let out = '';
    for (const f of flagsWithField) {
      const v = set[f.field!];
      if (v === true || (f.field === 'unauthorizedDetails' && v != null)) out = out === '' ? (long ? f.long : f.code) : `${out},${long ? f.long : f.code}`;
    }
    return out === '' ? '-' : out;
  };

const address = (
  field: 'downstreamRemoteAddress' | 'downstreamLocalAddress' | 'downstreamDirectRemoteAddress' | 'upstreamRemoteAddress' | 'upstreamLocalAddress',
): Record<string, OperatorDef> => ({
  ADDRESS: simple((entry) => formatAddress(commonOf(entry)?.[field], true)),
  ADDRESS_WITHOUT_PORT: simple((entry) => formatAddress(commonOf(entry)?.[field], false)),
  PORT: simple((entry) => addressPort(commonOf(entry)?.[field])),
});

function addressOperators(prefix: string, field: Parameters<typeof address>[0]): Record<string, OperatorDef> {
  const out: Record<string, OperatorDef> = {};
  for (const [suffix, def] of Object.entries(address(field))) out[`${prefix}_${suffix}`] = def;
  return out;
}

const accessLogTypes = [
  'NotSet',
  'TcpUpstreamConnected',
  'TcpPeriodic',
  'TcpConnectionEnd',
  'DownstreamStart',
  'DownstreamPeriodic',
  'DownstreamEnd',
  'UpstreamPoolReady',
  'UpstreamPeriodic',
  'UpstreamEnd',
  'DownstreamTunnelSuccessfullyEstablished',
  'UdpTunnelUpstreamConnected',
  'UdpPeriodic',
  'UdpSessionEnd',
];

const environment: OperatorDef = {
  args: 'required',
  maxLength: true,
  build: (name) => (name ? (_entry, context) => context.environment?.[name] ?? null : 'ENVIRONMENT needs a variable name'),
};

const string = (
  field: 'upstreamCluster' | 'upstreamTransportFailureReason' | 'routeName' | 'connectionTerminationDetails' | 'streamId' | 'downstreamTransportFailureReason',
): OperatorDef => simple((entry) => text(commonOf(entry)?.[field]));

export const streamOperators: Record<string, OperatorDef> = {
  START_TIME: startTime,
  DURATION: simple(duration),
  REQUEST_DURATION: simple(millis('timeToLastRxByte')),
  REQUEST_TX_DURATION: simple(millis('timeToLastUpstreamTxByte')),
  RESPONSE_DURATION: simple(millis('timeToFirstUpstreamRxByte')),
  RESPONSE_TX_DURATION: simple(responseTxDuration),

  BYTES_RECEIVED: simple(bytes('received')),
  BYTES_SENT: simple(bytes('sent')),
  REQUEST_HEADERS_BYTES: simple(requestCount('requestHeadersBytes')),
  RESPONSE_HEADERS_BYTES: simple(responseCount('responseHeadersBytes')),
  UPSTREAM_HEADER_BYTES_SENT: simple(requestCount('upstreamHeaderBytesSent')),
  DOWNSTREAM_HEADER_BYTES_RECEIVED: simple(requestCount('downstreamHeaderBytesReceived')),
  UPSTREAM_HEADER_BYTES_RECEIVED: simple(responseCount('upstreamHeaderBytesReceived')),
  DOWNSTREAM_HEADER_BYTES_SENT: simple(responseCount('downstreamHeaderBytesSent')),
  DOWNSTREAM_WIRE_BYTES_SENT: simple(commonCount('downstreamWireBytesSent')),
  DOWNSTREAM_WIRE_BYTES_RECEIVED: simple(commonCount('downstreamWireBytesReceived')),
  UPSTREAM_WIRE_BYTES_SENT: simple(commonCount('upstreamWireBytesSent')),
  UPSTREAM_WIRE_BYTES_RECEIVED: simple(commonCount('upstreamWireBytesReceived')),
  UPSTREAM_REQUEST_ATTEMPT_COUNT: simple((entry) => commonOf(entry)?.upstreamRequestAttemptCount ?? 0),

  PROTOCOL: simple((entry, context) => (context.kind === 'http' ? httpProtocolName(asEntry(entry).protocolVersion) : null)),
  RESPONSE_CODE: simple(responseCode),
  RESPONSE_CODE_DETAILS: simple((entry) => text(asEntry(entry).response?.responseCodeDetails)),
  CONNECTION_TERMINATION_DETAILS: string('connectionTerminationDetails'),
  RESPONSE_FLAGS: simple(flags(false)),
  RESPONSE_FLAGS_LONG: simple(flags(true)),

  ROUTE_NAME: string('routeName'),
  UPSTREAM_HOST: simple((entry) => formatAddress(commonOf(entry)?.upstreamRemoteAddress, true)),
  UPSTREAM_CLUSTER: string('upstreamCluster'),
  UPSTREAM_CLUSTER_RAW: string('upstreamCluster'),
  UPSTREAM_TRANSPORT_FAILURE_REASON: string('upstreamTransportFailureReason'),
  DOWNSTREAM_TRANSPORT_FAILURE_REASON: string('downstreamTransportFailureReason'),
  ...addressOperators('UPSTREAM_LOCAL', 'upstreamLocalAddress'),
  ...addressOperators('UPSTREAM_REMOTE', 'upstreamRemoteAddress'),
  ...addressOperators('DOWNSTREAM_REMOTE', 'downstreamRemoteAddress'),
  ...addressOperators('DOWNSTREAM_LOCAL', 'downstreamLocalAddress'),
  ...addressOperators('DOWNSTREAM_DIRECT_REMOTE', 'downstreamDirectRemoteAddress'),

  STREAM_ID: string('streamId'),
  ACCESS_LOG_TYPE: simple((entry) => accessLogTypes[commonOf(entry)?.accessLogType ?? 0] ?? null),
  /** Envoy makes a fresh UUID for every line; so do we. */
  UNIQUE_ID: simple(() => randomUUID()),
  HOSTNAME: simple((_entry, context) => text(context.hostname)),
  ENVIRONMENT: environment,

  // Stream info that never reaches ALS.
  UPSTREAM_PROTOCOL: unsupported(),
  VIRTUAL_CLUSTER_NAME: unsupported(),
  CONNECTION_ID: unsupported(),
  UPSTREAM_CONNECTION_ID: unsupported(),
  FILTER_CHAIN_NAME: unsupported(),
  RESPONSE_TRAILERS_BYTES: unsupported(),
  LOCAL_REPLY_BODY: unsupported(),
  DOWNSTREAM_HANDSHAKE_DURATION: unsupported(),
  UPSTREAM_CONNECTION_POOL_READY_DURATION: unsupported(),
};
