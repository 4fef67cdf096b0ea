/**
 * A `tcp` backend as a resource writes it (`tcp: {address, format}`), when it is valid, and the
 * config the sink reads. The address must be `host:port` (what the sink dials), a host the
 * operator's policy allows on a server, and the format must compile.
 */
import type { Static } from '@sinclair/typebox';
import type { FormatSpec } from '../../format/types.js';
import type { Violation } from '../../model/violations.js';
import { parseHostPort } from '../shared/addresses.js';
import { hostProblem, type SinkPolicy } from '../shared/destination-policy.js';
import { lineConfigSchema, validateLineConfig, withLineFormat } from '../shared/line-config.js';

export const TcpConfigSchema = lineConfigSchema('address', 'host:port to send newline-delimited entries to.');

export type TcpConfigSpec = Static<typeof TcpConfigSchema>;

export type TcpBackendConfig = {
  readonly type: 'tcp';
  readonly address: string;
  /** Absent: Kuma's default format for the entry's kind. */
  readonly format?: FormatSpec;
};

export function validateTcpConfig(raw: Readonly<Record<string, unknown>>, path: string, policy?: SinkPolicy): Violation[] {
  return validateLineConfig(raw, path, 'address', (address) => {
    if (address === undefined) return 'tcp backend requires valid address';
    const parsed = parseHostPort(address);
    return parsed ? hostProblem(parsed.host, policy) : `tcp backend requires valid address: ${JSON.stringify(address)} is not host:port`;
  });
}

export function normalizeTcpConfig(spec: TcpConfigSpec): TcpBackendConfig {
  return withLineFormat({ type: 'tcp', address: spec.address }, spec.format);
}
