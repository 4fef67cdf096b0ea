/**
 * A `tcp` backend as a resource writes it (`tcp: {address, format}`), when it is valid, and the
 * config the sink reads. The address must be `host:port` (what the sink dials), and the format
 * must compile.
 */
import type { Static } from '@sinclair/typebox';
import type { FormatSpec } from '../../format/types.js';
import type { Violation } from '../../model/violations.js';
import { isHostPort } from '../shared/addresses.js';
import { lineConfigSchema, validateLineConfig, withLineFormat } from '../shared/line-config.js';

export const TcpConfigSchema = lineConfigSchema('address', 'host:port to send newline-delimited entries to.');

export type TcpConfigSpec = Static<typeof TcpConfigSchema>;

export type TcpBackendConfig = {
  readonly type: 'tcp';
  readonly address: string;
  /** Absent: Kuma's default format for the entry's kind. */
  readonly format?: FormatSpec;
};

export function validateTcpConfig(raw: Readonly<Record<string, unknown>>, path: string): Violation[] {
  return validateLineConfig(raw, path, 'address', (address) => {
    if (address === undefined) return 'tcp backend requires valid address';
    return isHostPort(address) ? undefined : `tcp backend requires valid address: ${JSON.stringify(address)} is not host:port`;
  });
}

export function normalizeTcpConfig(spec: TcpConfigSpec): TcpBackendConfig {
  return withLineFormat({ type: 'tcp', address: spec.address }, spec.format);
}
