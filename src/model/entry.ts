/**
 * What an access-log entry is, before any layer does something with it.
 */
import type { WorkloadRef } from './proxy-identity.js';

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

/**
 * One end of the call an entry records: the caller (`source`) or the callee (`destination`). The
 * reporting proxy's own end is always known; the other end as far as meshlog could tell (a proxy
 * that also reports, found by IP; a certificate's SPIFFE id; the upstream cluster's service).
 * Unknown fields are null.
 */
export interface EntryEnd {
  readonly cluster: string | null;
  readonly namespace: string | null;
  readonly workload: string | null;
  readonly ip: string | null;
  readonly port: number | null;
  /** The service called, on the destination of outbound calls (`ratings.bookinfo`). */
  readonly service: string | null;
}

export const unknownEnd: EntryEnd = { cluster: null, namespace: null, workload: null, ip: null, port: null, service: null };

/** What is known of an entry besides its bytes: when, which proxy reported it, and who called whom. */
export interface EntryFacts {
  /** Start time, microseconds since the epoch. */
  readonly ts: number;
  readonly kind: EntryKind;
  readonly workload: WorkloadRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly instance: string;
  readonly direction: Direction | null;
  readonly source: EntryEnd;
  readonly destination: EntryEnd;
}
