/**
 * What the file and tcp sinks take: one formatted access-log entry, as the formatter produced it
 * for a `plain` format (a line without its newline) or a `json` format (an object).
 */

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
