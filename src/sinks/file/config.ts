/**
 * A `file` backend as a resource writes it (`file: {path, format}`), when it is valid, and the
 * config the sink reads. The path must be absolute (Kuma's rule), and the format must compile.
 */
import { type Static, Type } from '@sinclair/typebox';
import { FormatSchema, validateFormat } from '../../format/index.js';
import type { FormatSpec } from '../../format/types.js';
import { type Violation, field } from '../../model/violations.js';
import { isFilePath } from '../shared/addresses.js';
import { withLineFormat } from '../shared/line-record.js';

export const FileConfigSchema = Type.Object(
  {
    path: Type.String({ description: 'Absolute path of the file entries are appended to.' }),
    format: Type.Optional(FormatSchema),
  },
  { additionalProperties: false },
);

export type FileConfigSpec = Static<typeof FileConfigSchema>;

export type FileBackendConfig = {
  readonly type: 'file';
  readonly path: string;
  /** Absent: Kuma's default format for the entry's kind. */
  readonly format?: FormatSpec;
};

export function validateFileConfig(raw: Readonly<Record<string, unknown>>, path: string): Violation[] {
  const out: Violation[] = [];
  const file = raw['path'];
  if (typeof file === 'string' && !isFilePath(file)) {
    out.push({ field: field(path, 'path'), message: `file backend requires a valid path: ${JSON.stringify(file)} is not an absolute path` });
  }
  out.push(...validateFormat(raw['format'], field(path, 'format')));
  return out;
}

export function normalizeFileConfig(spec: FileConfigSpec): FileBackendConfig {
  return withLineFormat({ type: 'file', path: spec.path }, spec.format);
}
