/**
 * A `tcp` backend as a resource writes it (`tcp: {address, format}`), when it is valid, and the
 * config the sink reads. The address must be `host:port` (what the sink dials), and the format
 * must compile.
 */
import { type Static, Type } from '@sinclair/typebox';
import { FormatSchema, validateFormat } from '../../format/index.js';
import type { FormatSpec } from '../../format/types.js';
import { type Violation, field } from '../../model/violations.js';
import { isHostPort } from '../shared/addresses.js';
import { withLineFormat } from '../shared/line-record.js';

export const TcpConfigSchema = Type.Object(
  {
    address: Type.String({ description: 'host:port to send newline-delimited entries to.' }),
    format: Type.Optional(FormatSchema),
  },
  { additionalProperties: false },
);

export type TcpConfigSpec = Static<typeof TcpConfigSchema>;

export type TcpBackendConfig = {
  readonly type: 'tcp';
  readonly address: string;
  /** Absent: Kuma's default format for the entry's kind. */
  readonly format?: FormatSpec;
};

export function validateTcpConfig(raw: Readonly<Record<string, unknown>>, path: string): Violation[] {
  const out: Violation[] = [];
  const address = raw['address'];
  if (typeof address === 'string' && !isHostPort(address)) {
    out.push({ field: field(path, 'address'), message: `tcp backend requires valid address: ${JSON.stringify(address)} is not host:port` });
  }
  out.push(...validateFormat(raw['format'], field(path, 'format')));
  return out;
}

export function normalizeTcpConfig(spec: TcpConfigSpec): TcpBackendConfig {
  return withLineFormat({ type: 'tcp', address: spec.address }, spec.format);
}
