/**
 * The paging cursor every engine hands out: the (ts, id) of the last item of a page, opaque to clients.
 */
import { InvalidCursorError } from './types.js';

export function encodeCursor(ts: number, id: number): string {
  return Buffer.from(`${ts}:${id}`).toString('base64url');
}

/** Rejects what this server did not hand out with `InvalidCursorError`. */
export function decodeCursor(cursor: string): { ts: number; id: number } {
  const m = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new InvalidCursorError(`"${cursor}" is not a cursor this server returned`);
  return { ts: Number(m[1]), id: Number(m[2]) };
}
