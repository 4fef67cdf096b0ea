/**
 * A `file` backend as a resource writes it (`file: {path, format}`), when it is valid, and the
 * config the sink reads. The path must be absolute (Kuma's rule) without `..`, and on a server
 * inside one of the operator's `--file-sink-root` directories; the format must compile.
 */
import type { Static } from '@sinclair/typebox';
import type { FormatSpec } from '../../format/types.js';
import type { Violation } from '../../model/violations.js';
import { isFilePath } from '../shared/addresses.js';
import { filePathProblem, type SinkPolicy } from '../shared/destination-policy.js';
import { lineConfigSchema, validateLineConfig, withLineFormat } from '../shared/line-config.js';

export const FileConfigSchema = lineConfigSchema('path', 'Absolute path of the file entries are appended to.');

export type FileConfigSpec = Static<typeof FileConfigSchema>;

export type FileBackendConfig = {
  readonly type: 'file';
  readonly path: string;
  /** Absent: Kuma's default format for the entry's kind. */
  readonly format?: FormatSpec;
};

export function validateFileConfig(raw: Readonly<Record<string, unknown>>, path: string, policy?: SinkPolicy): Violation[] {
  return validateLineConfig(raw, path, 'path', (file) => {
    if (file === undefined) return 'file backend requires a valid path';
    return isFilePath(file) ? filePathProblem(file, policy) : `file backend requires a valid path: ${JSON.stringify(file)} is not an absolute path`;
  });
}

export function normalizeFileConfig(spec: FileConfigSpec): FileBackendConfig {
  return withLineFormat({ type: 'file', path: spec.path }, spec.format);
}
