/**
 * The formatter's contract: format specs as a `MeshAccessLog` backend gives them, the context an
 * entry is formatted in, and the compiled format.
 */

import type { DecodedEntry, EntryKind } from '../model/entry.js';
import type { Violation } from '../model/violations.js';

/** `plain` text, or `json` key/value pairs (values are format strings), in Kuma's shape. */
export type FormatSpec =
  | { readonly plain: string; readonly omitEmptyValues?: boolean }
  | { readonly json: readonly { readonly key: string; readonly value: string }[]; readonly omitEmptyValues?: boolean };

export type TrafficDirection = 'inbound' | 'outbound' | 'unspecified';

/** What the entry alone does not say: the proxy that sent it, and where the traffic went. */
export interface FormatContext {
  readonly kind: EntryKind;
  readonly proxy: {
    readonly mesh?: string;
    readonly zone?: string;
    /** The proxy's own service (Kuma's `kuma.io/service` / workload name). */
    readonly service?: string;
    /** The proxy's IP address, without port. */
    readonly address?: string;
    /** Kuma's workload identifier (`%KUMA_WORKLOAD%`). */
    readonly workload?: string;
  };
  readonly direction: TrafficDirection;
  /** The other side, when routing could tell: the client on inbound, the destination on outbound. */
  readonly peer?: {
    readonly service?: string;
    /** IP, or `ip:port`, of the peer. */
    readonly address?: string;
  };
  /** `%HOSTNAME%`: the proxy's host name. */
  readonly hostname?: string;
  /** `%ENVIRONMENT(X)%`: the proxy's environment, when known. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** What an operator yields: null when the value is missing (`-`). Objects come from metadata. */
export type FormatValue = string | number | boolean | object | null;

export type Evaluator = (entry: DecodedEntry, context: FormatContext) => FormatValue;

export interface CompiledFormat {
  readonly ok: true;
  readonly kind: 'plain' | 'json';
  /** A line (without a newline) for `plain`, an object with the keys in the given order for `json`. */
  format(entry: DecodedEntry, context: FormatContext): string | Record<string, unknown>;
  /** Operators in the format that ALS does not carry the data for: they always render `-`. */
  readonly unsupported: readonly string[];
}

export interface FormatViolations {
  readonly ok: false;
  readonly violations: readonly Violation[];
}
