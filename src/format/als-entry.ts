/**
 * The shapes of decoded ALS entries that operators read, typed loosely (protobufjs messages:
 * unset message fields read null, unset scalars their zero value, 64-bit integers as `Long`),
 * and the operator definition every operator table uses.
 */
import type { Int64 } from '../envoy/entry-fields.js';
import type { DecodedEntry } from '../model/entry.js';
import type { Evaluator } from './types.js';

export interface AlsCommon {
  startTime?: unknown;
  duration?: unknown;
  timeToLastRxByte?: unknown;
  timeToFirstUpstreamTxByte?: unknown;
  timeToLastUpstreamTxByte?: unknown;
  timeToFirstUpstreamRxByte?: unknown;
  timeToLastUpstreamRxByte?: unknown;
  timeToFirstDownstreamTxByte?: unknown;
  timeToLastDownstreamTxByte?: unknown;
  downstreamRemoteAddress?: unknown;
  downstreamLocalAddress?: unknown;
  downstreamDirectRemoteAddress?: unknown;
  upstreamRemoteAddress?: unknown;
  upstreamLocalAddress?: unknown;
  tlsProperties?: AlsTls | null;
  upstreamCluster?: string;
  responseFlags?: Record<string, unknown> | null;
  metadata?: { filterMetadata?: Record<string, unknown> } | null;
  upstreamTransportFailureReason?: string;
  routeName?: string;
  filterStateObjects?: Record<string, unknown>;
  customTags?: Record<string, string>;
  upstreamRequestAttemptCount?: number;
  connectionTerminationDetails?: string;
  streamId?: string;
  downstreamTransportFailureReason?: string;
  downstreamWireBytesSent?: Int64;
  downstreamWireBytesReceived?: Int64;
  upstreamWireBytesSent?: Int64;
  upstreamWireBytesReceived?: Int64;
  accessLogType?: number;
}

export interface AlsCertificate {
  subjectAltName?: { uri?: string; dns?: string }[];
  subject?: string;
  issuer?: string;
}

export interface AlsTls {
  tlsVersion?: number;
  tlsCipherSuite?: { value?: number } | null;
  tlsSniHostname?: string;
  localCertificateProperties?: AlsCertificate | null;
  peerCertificateProperties?: AlsCertificate | null;
  tlsSessionId?: string;
  ja3Fingerprint?: string;
}

export interface AlsRequest {
  requestMethod?: number;
  scheme?: string;
  authority?: string;
  path?: string;
  userAgent?: string;
  referer?: string;
  forwardedFor?: string;
  requestId?: string;
  originalPath?: string;
  requestHeadersBytes?: Int64;
  requestBodyBytes?: Int64;
  requestHeaders?: Record<string, string>;
  upstreamHeaderBytesSent?: Int64;
  downstreamHeaderBytesReceived?: Int64;
}

export interface AlsResponse {
  responseCode?: { value?: number } | null;
  responseHeadersBytes?: Int64;
  responseBodyBytes?: Int64;
  responseHeaders?: Record<string, string>;
  responseTrailers?: Record<string, string>;
  responseCodeDetails?: string;
  upstreamHeaderBytesReceived?: Int64;
  downstreamHeaderBytesSent?: Int64;
}

export interface AlsEntry {
  commonProperties?: AlsCommon | null;
  protocolVersion?: number;
  request?: AlsRequest | null;
  response?: AlsResponse | null;
  connectionProperties?: { receivedBytes?: Int64; sentBytes?: Int64 } | null;
}

export const asEntry = (entry: DecodedEntry): AlsEntry => entry as AlsEntry;
export const commonOf = (entry: DecodedEntry): AlsCommon | null | undefined => (entry as AlsEntry).commonProperties;

/** A non-empty string, else null: proto3 cannot tell an empty string from an unset one. */
export const text = (s: string | null | undefined): string | null => (s ? s : null);

export interface OperatorDef {
  /** Whether `(ARG)` is refused, optional or required. */
  readonly args: 'none' | 'optional' | 'required';
  /** Whether `:Z` (truncation) is allowed, as Envoy's `CommandSyntaxChecker::LENGTH_ALLOWED`. */
  readonly maxLength?: boolean;
  /** ALS carries no such data: the operator is accepted and always renders `-`. */
  readonly unsupported?: boolean;
  /**
   * The evaluator for this argument, or a message saying what is wrong with the argument.
   * `target` is `json` when the operator is a whole typed JSON value, `text` otherwise.
   */
  build(arg: string | undefined, target: 'text' | 'json'): Evaluator | string;
}

export const simple = (evaluate: Evaluator): OperatorDef => ({ args: 'none', build: () => evaluate });

const missing: Evaluator = () => null;

/** An operator whose data ALS does not carry (see the note in `operators.ts`). */
export const unsupported = (args: OperatorDef['args'] = 'none', maxLength = false): OperatorDef => ({
  args,
  maxLength,
  unsupported: true,
  build: () => missing,
});
