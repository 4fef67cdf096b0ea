import type { DecodedEntry } from '../../model/entry.js';
/**
 * OTLP log data as the otlp sink takes it: `AnyValue` and `KeyValue` in OTLP's JSON shape
 * (lowerCamelCase oneof names, 64-bit integers as strings, bytes as base64), so that a
 * `MeshAccessLog` backend's `body` is already one, and protobufjs encodes them as they are.
 */

export type AnyValue =
  | { readonly stringValue: string }
  | { readonly boolValue: boolean }
  | { readonly intValue: number | string }
  | { readonly doubleValue: number }
  | { readonly bytesValue: string }
  | { readonly arrayValue: { readonly values: readonly AnyValue[] } }
  | { readonly kvlistValue: { readonly values: readonly KeyValue[] } };

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

/** One access-log entry for an OTLP receiver, as Envoy's OpenTelemetry access logger builds it. */
export interface OtelLogRecord {
  /** The request's start time. */
  readonly timeUnixNano: bigint | string;
  readonly body: AnyValue;
  readonly attributes: readonly KeyValue[];
  /** Resource attributes; records with equal resources share one `ResourceLogs` in a request. */
  readonly resource: Readonly<Record<string, string>>;
}

/** Envoy's builtin resource attributes (`log_name`, `zone_name`, `cluster_name`, `node_name`), then `extra`. */
export function builtinResource(
  proxy: { readonly logName: string; readonly zoneName: string; readonly clusterName: string; readonly nodeName: string },
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { log_name: proxy.logName, zone_name: proxy.zoneName, cluster_name: proxy.clusterName, node_name: proxy.nodeName, ...extra };
}

/** `common_properties.start_time` in nanoseconds since the epoch; 0 when the entry has none. */
export function entryTimeUnixNano(entry: DecodedEntry): bigint {
  const start = (entry['commonProperties'] as { startTime?: { seconds?: unknown; nanos?: unknown } } | undefined)?.startTime;
  if (!start) return 0n;
  // Seconds is a protobufjs Long (or a number); its toString is exact where a number might not be.
  const seconds = start.seconds === undefined || start.seconds === null ? 0n : BigInt(String(start.seconds));
  const nanos = typeof start.nanos === 'number' ? BigInt(start.nanos) : 0n;
  return seconds * 1_000_000_000n + nanos;
}
