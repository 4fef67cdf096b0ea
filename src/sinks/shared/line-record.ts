/**
 * What the file and tcp sinks take: one formatted access-log entry, as the formatter produced it
 * for a `plain` format (a line without its newline) or a `json` format (an object); how a batch of
 * them is written, and how a backend's format turns an entry into one.
 */
import { compileFormat, defaultFormatFor } from '../../format/index.js';
import type { CompiledFormat, FormatSpec } from '../../format/types.js';
import type { EntryKind } from '../../model/entry.js';
import type { RecordCompiler } from '../types.js';

export type LineRecord = { readonly text: string } | { readonly object: Readonly<Record<string, unknown>> };

/**
 * The batch as newline-delimited bytes, one record per line: text as is, objects as
 * `JSON.stringify`. Built as one string and encoded once, so a batch is one write.
 * A newline inside a text record would split it into two lines; the formatter's output of a
 * plain format has none unless a user's format literal puts one there, and then it is theirs.
 */
export function encodeLines(batch: readonly LineRecord[]): Buffer {
  let out = '';
  for (let i = 0; i < batch.length; i++) {
    const record = batch[i]!;
    out += 'text' in record ? record.text : JSON.stringify(record.object);
    out += '\n';
  }
  return Buffer.from(out, 'utf8');
}

/** The backend's format, or the default one of the entry's kind (Kuma's), compiled once into line records. */
export function compileLineRecord(type: string, format: FormatSpec | undefined, kind: EntryKind): RecordCompiler<LineRecord> {
  const compiled = compileFormat(format ?? defaultFormatFor(kind));
  if (!compiled.ok) {
    // Validation refuses such a format when the policy is applied; reaching here is a bug.
    throw new Error(`the ${type} backend's format does not compile: ${compiled.violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
  }
  const line: CompiledFormat = compiled;
  return line.kind === 'plain'
    ? (entry, context) => ({ text: line.format(entry, context) as string })
    : (entry, context) => ({ object: line.format(entry, context) as Record<string, unknown> });
}
