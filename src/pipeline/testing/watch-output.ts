/**
 * A watcher's output made from given lines, as an ingest worker's renderer would hand it over:
 * for tests of what receives outputs (the live tail, the HTTP stream).
 */
import type { WatchOutput } from '../watch-render.js';

/** Lines (without their newline) as one output, in a buffer of its own. */
export function watchOutput(id: number, lines: readonly string[], keys?: string[]): WatchOutput {
  const ends = new Uint32Array(lines.length);
  let total = 0;
  for (let i = 0; i < lines.length; i++) ends[i] = total += Buffer.byteLength(lines[i]!, 'utf8') + 1;
  const bytes = Buffer.from(new ArrayBuffer(total));
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    at += bytes.write(lines[i]!, at, 'utf8');
    bytes[at++] = 0x0a;
  }
  return keys ? { id, count: lines.length, bytes, ends, keys } : { id, count: lines.length, bytes };
}
