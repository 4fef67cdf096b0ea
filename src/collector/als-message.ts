/**
 * Reads one `StreamAccessLogsMessage` off the wire.
 *
 * Walks the message's fields once with protobufjs's Reader instead of decoding the whole message:
 * the identifier is decoded (it names the proxy), while each entry is only framed — its top-level
 * fields walked, its bytes kept as a view into the received buffer. Decoding entries is the
 * consumer's business (the pipeline, in whichever thread runs it), and a relay forwards the bytes
 * as they came.
 */
import protobuf from 'protobufjs';
import type { AlsTypes } from '../envoy/protos.js';
import { decodeRepairing } from '../envoy/utf8-repair.js';
import type { EntryKind } from '../model/entry.js';
import type { DecodedIdentifier } from './identify-proxy.js';

export interface ScannedMessage {
  identifier: DecodedIdentifier | undefined;
  kind: EntryKind | undefined;
  /** Each entry's encoded bytes, in order (views into the received message). */
  encoded: Uint8Array[];
}

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

const LENGTH_DELIMITED = 2;

export function scanAlsMessage(buf: Uint8Array, types: AlsTypes): ScannedMessage {
  const out: ScannedMessage = { identifier: undefined, kind: undefined, encoded: [] };
  try {
    const reader = protobuf.Reader.create(buf);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 0) throw new MalformedMessageError('field number 0 is not allowed');
      if (wireType === LENGTH_DELIMITED && field === 1) {
        const end = delimitedEnd(reader);
        // A node's metadata can hold strings that are not UTF-8: they are repaired, not refused.
        out.identifier = decodeRepairing(types.Identifier, buf.subarray(reader.pos, end)).message as unknown as DecodedIdentifier;
        reader.pos = end;
      } else if (wireType === LENGTH_DELIMITED && (field === 2 || field === 3)) {
        const kind: EntryKind = field === 2 ? 'http' : 'tcp';
        // `log_entries` is a oneof: as in any proto decoder, the last member on the wire wins.
        if (out.kind !== kind) {
          out.encoded = [];
          out.kind = kind;
        }
        readEntries(buf, reader, delimitedEnd(reader), out);
      } else {
        reader.skipType(wireType);
      }
    }
  } catch (err) {
    if (err instanceof MalformedMessageError) throw err;
    throw new MalformedMessageError(err instanceof Error ? err.message : String(err));
  }
  return out;
}

/** `HTTPAccessLogEntries` / `TCPAccessLogEntries`: `repeated Entry log_entry = 1`. */
function readEntries(buf: Uint8Array, reader: protobuf.Reader, end: number, out: ScannedMessage): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) {
      const entryEnd = delimitedEnd(reader, end);
      const start = reader.pos;
      skipFields(reader, entryEnd);
      out.encoded.push(buf.subarray(start, entryEnd));
    } else {
      reader.skipType(tag & 7);
    }
  }
  if (reader.pos !== end) throw new MalformedMessageError('log entries overrun their enclosing field');
}

/** Walks the fields of one entry without decoding them: its framing must hold up to `end`. */
function skipFields(reader: protobuf.Reader, end: number): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 0) throw new MalformedMessageError('field number 0 is not allowed');
    reader.skipType(tag & 7);
  }
  if (reader.pos !== end) throw new MalformedMessageError('log entry length does not match its contents');
}

/** Reads a length prefix and returns where the field ends, refusing lengths past `limit`. */
function delimitedEnd(reader: protobuf.Reader, limit = reader.len): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > limit) throw new MalformedMessageError(`a field of ${length} bytes overruns the message`);
  return end;
}
