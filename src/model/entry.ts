/**
 * What an access-log entry is, before any layer does something with it.
 */

/** Envoy's two entry types: `HTTPAccessLogEntry` and `TCPAccessLogEntry`. */
export type EntryKind = 'http' | 'tcp';

/** Which way the traffic went, from the proxy that logged it. */
export type Direction = 'inbound' | 'outbound';

/**
 * A decoded `HTTPAccessLogEntry` or `TCPAccessLogEntry` as protobufjs produces it (camelCase
 * fields, `Long` for 64-bit integers, `{seconds, nanos}` for Timestamp and Duration).
 * Typed loosely on purpose: readers go through the accessors in `envoy/entry-fields.ts`.
 */
export type DecodedEntry = Record<string, unknown>;
