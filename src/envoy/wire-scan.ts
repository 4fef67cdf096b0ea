/**
 * An ALS entry's store columns read straight from its encoded bytes, without decoding it.
 *
 * The full protobufjs decode of an entry costs several times what this walk does, and allocates
 * an object per message and field; the store needs about a dozen scalars and strings. So ingest
 * scans every entry and decodes one fully only when something needs the whole entry (a watcher, a
 * record's header filter, a policy's format, a sensitive header to redact).
 *
 * The scan gives exactly what `entryColumns` gives for the decoded entry, field for field, with
 * protobufjs's rules: unknown fields (and fields of the wrong wire type) are skipped, a message
 * that occurs twice is merged field by field (a later scalar wins, repeated fields append), and
 * absent messages are absent (a present but empty Timestamp is 0). `wire-scan.test.ts` checks
 * this against protobufjs on a random corpus. Field numbers come from the loaded protos, never
 * from literals.
 *
 * This file is longer than most on purpose: the walk is one family of functions over one message
 * tree on the ingest hot path. Split across files, its readers and the field tables they share
 * would need exporting, and the walk costs more calls per field.
 */
import protobuf from 'protobufjs';
import type { EntryKind } from '../model/entry.js';
import type { EntryColumns } from './entry-fields.js';
import type { AlsTypes } from './protos.js';
import { responseFlags } from './response-flags.js';

export interface SocketAddr {
  readonly address: string;
  readonly port: number;
}

/** The store columns plus what working out the call's two ends needs. */
export interface EntryScan extends EntryColumns {
  readonly downstreamLocal: SocketAddr | null;
  readonly downstreamRemote: SocketAddr | null;
  readonly downstreamDirectRemote: SocketAddr | null;
  readonly upstreamRemote: SocketAddr | null;
  /** URI SANs of the peer's certificate (SPIFFE ids), when TLS properties were logged. */
  readonly peerUris: readonly string[] | null;
  /** A request header, response header or trailer whose lower-case name is sensitive is present. */
  readonly sensitive: boolean;
}

/** Scans one entry. The result (and its addresses) is reused by the next call: read it before then. */
export type WireScanner = (kind: EntryKind, bytes: Uint8Array, fallbackTs?: number) => EntryScan;

export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

const { utf8 } = protobuf.util;
const methods = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

function ids(type: protobuf.Type, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const f = type.fields[name];
    if (!f) throw new Error(`${type.fullName} has no field ${name}`);
    out[name] = f.id;
  }
  return out;
}

/** A varint-level reader over one buffer; `pos` moves forward, `end` bounds the current message. */
interface Cursor {
  buf: Uint8Array;
  pos: number;
}

function varint32(c: Cursor, end: number): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (c.pos >= end) throw new WireFormatError('truncated varint');
    const b = c.buf[c.pos++]!;
    if (shift < 32) result |= (b & 0x7f) << shift;
    if (b < 0x80) return result >>> 0;
    shift += 7;
    if (shift > 63) throw new WireFormatError('varint longer than 10 bytes');
  }
}

/** A 64-bit varint as a number; `signed` reads it as two's complement (int64), else unsigned. */
function varint64(c: Cursor, end: number, signed: boolean): number {
  let lo = 0;
  let hi = 0;
  let shift = 0;
  for (;;) {
    if (c.pos >= end) throw new WireFormatError('truncated varint');
    const b = c.buf[c.pos++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else if (shift < 63) hi |= (b & 0x7f) << (shift - 32);
    else hi |= (b & 0x01) << 31;
    if (b < 0x80) break;
    shift += 7;
    if (shift > 63) throw new WireFormatError('varint longer than 10 bytes');
  }
  lo >>>= 0;
  hi >>>= 0;
  if (signed && hi & 0x80000000) {
    // Two's complement: -(~value + 1), as Long.toNumber does.
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    return -(nhi * 4294967296 + nlo);
  }
  return hi * 4294967296 + lo;
}

function skip(c: Cursor, wireType: number, end: number): void {
  switch (wireType) {
    case 0:
      varint64(c, end, false);
      return;
    case 1:
      c.pos += 8;
      break;
    case 2: {
      const n = varint32(c, end);
      c.pos += n;
      break;
    }
    case 5:
      c.pos += 4;
      break;
    case 3: {
      // A group: skip fields until its end tag.
      for (;;) {
        const tag = varint32(c, end);
        const wt = tag & 7;
        if (wt === 4) return;
        skip(c, wt, end);
      }
    }
    default:
      throw new WireFormatError(`invalid wire type ${wireType}`);
  }
  if (c.pos > end) throw new WireFormatError('field overruns its message');
}

/** The end of a length-delimited field that starts at `c.pos`. */
function delimited(c: Cursor, end: number): number {
  const n = varint32(c, end);
  const stop = c.pos + n;
  if (stop > end) throw new WireFormatError('field overruns its message');
  return stop;
}

function string(c: Cursor, end: number): string {
  const stop = delimited(c, end);
  const s = stop > c.pos ? utf8.read(c.buf, c.pos, stop) : '';
  c.pos = stop;
  return s;
}

/** The names as bytes by length; null unless every name is lower-case ASCII (then bytes compare as the names do). */
function asciiNamesByLength(names: ReadonlySet<string>): Map<number, Uint8Array[]> | null {
  const out = new Map<number, Uint8Array[]>();
  for (const name of names) {
    if (Buffer.byteLength(name, 'utf8') !== name.length || name !== name.toLowerCase()) return null;
    const bytes = Buffer.from(name, 'latin1');
    const same = out.get(bytes.length);
    if (same) same.push(bytes);
    else out.set(bytes.length, [bytes]);
  }
  return out;
}

function isAscii(buf: Uint8Array, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

/** `buf[start..]` equals `name` (lower-case ASCII) with A-Z folded to a-z. */
function equalsFolded(buf: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    const b = buf[start + i]!;
    if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== name[i]) return false;
  }
  return true;
}

export function createWireScanner(types: AlsTypes, sensitiveNames: ReadonlySet<string>): WireScanner {
  const http = ids(types.HTTPAccessLogEntry, ['commonProperties', 'request', 'response']);
  const tcp = ids(types.TCPAccessLogEntry, ['commonProperties', 'connectionProperties']);
  const common = ids(types.AccessLogCommon, [
    'downstreamRemoteAddress',
    'downstreamLocalAddress',
    'tlsProperties',
    'startTime',
    'timeToLastDownstreamTxByte',
    'upstreamRemoteAddress',
    'upstreamCluster',
    'responseFlags',
    'upstreamTransportFailureReason',
    'downstreamDirectRemoteAddress',
    'duration',
  ]);
  const root = types.root;
  const requestType = root.lookupType('envoy.data.accesslog.v3.HTTPRequestProperties');
  const responseType = root.lookupType('envoy.data.accesslog.v3.HTTPResponseProperties');
  const request = ids(requestType, ['requestMethod', 'authority', 'path', 'requestId', 'requestBodyBytes', 'requestHeaders']);
  const response = ids(responseType, ['responseCode', 'responseBodyBytes', 'responseHeaders', 'responseTrailers']);
  const connection = ids(root.lookupType('envoy.data.accesslog.v3.ConnectionProperties'), ['receivedBytes', 'sentBytes']);
  const tls = ids(root.lookupType('envoy.data.accesslog.v3.TLSProperties'), ['peerCertificateProperties']);
  const certificate = ids(root.lookupType('envoy.data.accesslog.v3.TLSProperties.CertificateProperties'), ['subjectAltName']);
  const san = ids(root.lookupType('envoy.data.accesslog.v3.TLSProperties.CertificateProperties.SubjectAltName'), ['uri', 'dns']);
  const address = ids(root.lookupType('envoy.config.core.v3.Address'), ['socketAddress', 'pipe', 'envoyInternalAddress']);
  const socket = ids(root.lookupType('envoy.config.core.v3.SocketAddress'), ['address', 'portValue', 'namedPort']);
  const flagsType = root.lookupType('envoy.data.accesslog.v3.ResponseFlags');
  /** Field number → position in Envoy's flag order; `unauthorizedDetails` is a message (set when present). */
  const flagOrder = new Map<number, number>();
  const flagCodes: string[] = [];
  for (const f of responseFlags) {
    if (f.field === null) continue;
    const field = flagsType.fields[f.field];
    if (!field) throw new Error(`ResponseFlags has no field ${f.field}`);
    flagOrder.set(field.id, flagCodes.length);
    flagCodes.push(f.code);
  }
  const unauthorizedId = flagsType.fields['unauthorizedDetails']!.id;

  const namesByLength = asciiNamesByLength(sensitiveNames);
  const c: Cursor = { buf: new Uint8Array(0), pos: 0 };
  const out = {} as Mutable<EntryScan>;
  const setFlags = new Array<boolean>(flagCodes.length).fill(false);

  // One entry's state, reset per entry. A message that occurs twice is merged into what the first
  // occurrence set, field by field, as protobuf (and protobufjs) decode it.
  // Reused from entry to entry: the scan allocates nothing per entry but the strings it reads.
  const startTime: SecondsNanos = { present: false, seconds: 0, nanos: 0 };
  const duration: SecondsNanos = { present: false, seconds: 0, nanos: 0 };
  const lastTx: SecondsNanos = { present: false, seconds: 0, nanos: 0 };
  let upstreamCluster: string;
  let upstreamFailure: string;
  let flagsPresent: boolean;
  const downstreamLocal = mutableAddr();
  const downstreamRemote = mutableAddr();
  const downstreamDirectRemote = mutableAddr();
  const upstreamRemote = mutableAddr();
  let peerUris: string[] | null;
  let tlsPresent: boolean;
  let method: number;
  let authority: string;
  let path: string;
  let requestId: string;
  let bodyIn: number;
  let status: number | null;
  let bodyOut: number;
  let sensitive: boolean;

  function resetEntry(): void {
    startTime.present = duration.present = lastTx.present = false;
    upstreamCluster = '';
    upstreamFailure = '';
    flagsPresent = false;
    setFlags.fill(false);
    for (const a of [downstreamLocal, downstreamRemote, downstreamDirectRemote, upstreamRemote]) {
      a.socket = false;
      a.address = '';
      a.port = 0;
    }
    peerUris = null;
    tlsPresent = false;
    method = 0;
    authority = '';
    path = '';
    requestId = '';
    bodyIn = 0;
    status = null;
    bodyOut = 0;
    sensitive = false;
  }

  function secondsNanos(t: SecondsNanos, end: number): void {
    if (!t.present) {
      t.present = true;
      t.seconds = 0;
      t.nanos = 0;
    }
    while (c.pos < end) {
      const tag = varint32(c, end);
      if (tag === 8) t.seconds = varint64(c, end, true);
      else if (tag === 16) t.nanos = varint32(c, end) | 0;
      else skip(c, tag & 7, end);
    }
  }

  function socketAddress(a: MutableAddr, end: number): void {
    while (c.pos < end) {
      const tag = varint32(c, end);
      if (tag >>> 3 === address['socketAddress'] && (tag & 7) === 2) {
        a.socket = true;
        const stop = delimited(c, end);
        while (c.pos < stop) {
          const t = varint32(c, stop);
          const field = t >>> 3;
          if (field === socket['address'] && (t & 7) === 2) a.address = string(c, stop);
          else if (field === socket['portValue'] && (t & 7) === 0) a.port = varint32(c, stop);
          else {
            // `named_port` is the other member of the port oneof: setting it clears the port.
            if (field === socket['namedPort'] && (t & 7) === 2) a.port = 0;
            skip(c, t & 7, stop);
          }
        }
      } else {
        // Another member of the address oneof (a pipe, an internal address) clears the socket.
        if ((tag >>> 3 === address['pipe'] || tag >>> 3 === address['envoyInternalAddress']) && (tag & 7) === 2) {
          a.socket = false;
          a.address = '';
          a.port = 0;
        }
        skip(c, tag & 7, end);
      }
    }
  }

  function flags(end: number): void {
    flagsPresent = true;
    while (c.pos < end) {
      const tag = varint32(c, end);
      const field = tag >>> 3;
      const at = flagOrder.get(field);
      if (at !== undefined && field !== unauthorizedId && (tag & 7) === 0) setFlags[at] = varint32(c, end) !== 0;
      else if (at !== undefined && field === unauthorizedId && (tag & 7) === 2) {
        setFlags[at] = true;
        c.pos = delimited(c, end);
      } else skip(c, tag & 7, end);
    }
  }

  function tlsProperties(end: number): void {
    tlsPresent = true;
    while (c.pos < end) {
      const tag = varint32(c, end);
      if (tag >>> 3 === tls['peerCertificateProperties'] && (tag & 7) === 2) {
        const stop = delimited(c, end);
        peerUris ??= [];
        while (c.pos < stop) {
          const t = varint32(c, stop);
          if (t >>> 3 === certificate['subjectAltName'] && (t & 7) === 2) {
            const sanEnd = delimited(c, stop);
            let uri = '';
            while (c.pos < sanEnd) {
              const s = varint32(c, sanEnd);
              if (s >>> 3 === san['uri'] && (s & 7) === 2) uri = string(c, sanEnd);
              else {
                // `dns` is the other member of the SAN oneof: setting it clears the URI.
                if (s >>> 3 === san['dns'] && (s & 7) === 2) uri = '';
                skip(c, s & 7, sanEnd);
              }
            }
            if (uri) peerUris.push(uri);
          } else skip(c, t & 7, stop);
        }
      } else skip(c, tag & 7, end);
    }
  }

  function commonProperties(end: number): void {
    while (c.pos < end) {
      const tag = varint32(c, end);
      const field = tag >>> 3;
      const wt = tag & 7;
      if (wt !== 2) skip(c, wt, end);
      else if (field === common['startTime']) secondsNanos(startTime, delimited(c, end));
      else if (field === common['duration']) secondsNanos(duration, delimited(c, end));
      else if (field === common['timeToLastDownstreamTxByte']) secondsNanos(lastTx, delimited(c, end));
      else if (field === common['upstreamCluster']) upstreamCluster = string(c, end);
      else if (field === common['upstreamTransportFailureReason']) upstreamFailure = string(c, end);
      else if (field === common['responseFlags']) flags(delimited(c, end));
      else if (field === common['downstreamLocalAddress']) socketAddress(downstreamLocal, delimited(c, end));
      else if (field === common['downstreamRemoteAddress']) socketAddress(downstreamRemote, delimited(c, end));
      else if (field === common['downstreamDirectRemoteAddress']) socketAddress(downstreamDirectRemote, delimited(c, end));
      else if (field === common['upstreamRemoteAddress']) socketAddress(upstreamRemote, delimited(c, end));
      else if (field === common['tlsProperties']) tlsProperties(delimited(c, end));
      else skip(c, wt, end);
    }
  }

  /**
   * A `map<string, string>` entry: true when its key is a sensitive name. An ASCII key is compared
   * as bytes with the names of its length, folding A-Z: most keys cost a length lookup and no
   * string. Other keys (and names that are not lower-case ASCII) go through the string as decoded.
   */
  function sensitiveKey(end: number): boolean {
    let start = 0;
    let stop = 0;
    while (c.pos < end) {
      const tag = varint32(c, end);
      if (tag === 10) {
        stop = delimited(c, end);
        start = c.pos;
        c.pos = stop;
      } else skip(c, tag & 7, end);
    }
    const buf = c.buf;
    if (namesByLength !== null && isAscii(buf, start, stop)) {
      const names = namesByLength.get(stop - start);
      if (names === undefined) return false;
      for (const name of names) if (equalsFolded(buf, start, name)) return true;
      return false;
    }
    const key = stop > start ? utf8.read(buf, start, stop) : '';
    return sensitiveNames.has(key) || (key !== key.toLowerCase() && sensitiveNames.has(key.toLowerCase()));
  }

  function requestProperties(end: number): void {
    while (c.pos < end) {
      const tag = varint32(c, end);
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === request['requestMethod'] && wt === 0) method = varint32(c, end) | 0;
      else if (field === request['requestBodyBytes'] && wt === 0) bodyIn = varint64(c, end, false);
      else if (wt !== 2) skip(c, wt, end);
      else if (field === request['authority']) authority = string(c, end);
      else if (field === request['path']) path = string(c, end);
      else if (field === request['requestId']) requestId = string(c, end);
      else if (field === request['requestHeaders']) {
        if (sensitiveKey(delimited(c, end))) sensitive = true;
      } else skip(c, wt, end);
    }
  }

  function responseProperties(end: number): void {
    while (c.pos < end) {
      const tag = varint32(c, end);
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === response['responseBodyBytes'] && wt === 0) bodyOut = varint64(c, end, false);
      else if (wt !== 2) skip(c, wt, end);
      else if (field === response['responseCode']) {
        const stop = delimited(c, end);
        status ??= 0;
        while (c.pos < stop) {
          const t = varint32(c, stop);
          if (t === 8) status = varint32(c, stop);
          else skip(c, t & 7, stop);
        }
      } else if (field === response['responseHeaders'] || field === response['responseTrailers']) {
        if (sensitiveKey(delimited(c, end))) sensitive = true;
      } else skip(c, wt, end);
    }
  }

  function connectionProperties(end: number): void {
    while (c.pos < end) {
      const tag = varint32(c, end);
      const field = tag >>> 3;
      if (field === connection['receivedBytes'] && (tag & 7) === 0) bodyIn = varint64(c, end, false);
      else if (field === connection['sentBytes'] && (tag & 7) === 0) bodyOut = varint64(c, end, false);
      else skip(c, tag & 7, end);
    }
  }

  return (kind, bytes, fallbackTs) => {
    c.buf = bytes;
    c.pos = 0;
    const end = bytes.length;
    resetEntry();
    const isHttp = kind === 'http';
    const commonId = isHttp ? http['commonProperties'] : tcp['commonProperties'];
    while (c.pos < end) {
      const tag = varint32(c, end);
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 0) throw new WireFormatError('field number 0 is not allowed');
      if (wt !== 2) skip(c, wt, end);
      else if (field === commonId) commonProperties(delimited(c, end));
      else if (isHttp && field === http['request']) requestProperties(delimited(c, end));
      else if (isHttp && field === http['response']) responseProperties(delimited(c, end));
      else if (!isHttp && field === tcp['connectionProperties']) connectionProperties(delimited(c, end));
      else skip(c, wt, end);
    }
    if (c.pos !== end) throw new WireFormatError('entry overruns its length');
    let responseFlagsText = '';
    if (flagsPresent) {
      for (let i = 0; i < setFlags.length; i++)
        if (setFlags[i]) responseFlagsText = responseFlagsText === '' ? flagCodes[i]! : `${responseFlagsText},${flagCodes[i]}`;
    }
    out.ts = startTime.present ? micros(startTime, false) : (fallbackTs ?? Date.now() * 1000);
    out.method = isHttp && method ? (methods[method] ?? null) : null;
    out.authority = authority || null;
    out.path = path || null;
    out.status = isHttp ? status : null;
    out.durationUs = duration.present ? micros(duration, true) : lastTx.present ? micros(lastTx, true) : null;
    out.responseFlags = responseFlagsText;
    out.upstreamCluster = upstreamCluster || null;
    out.requestId = requestId || null;
    out.bytesReceived = bodyIn;
    out.bytesSent = bodyOut;
    out.upstreamFailure = upstreamFailure || null;
    out.downstreamLocal = downstreamLocal.socket ? downstreamLocal : null;
    out.downstreamRemote = downstreamRemote.socket ? downstreamRemote : null;
    out.downstreamDirectRemote = downstreamDirectRemote.socket ? downstreamDirectRemote : null;
    out.upstreamRemote = upstreamRemote.socket ? upstreamRemote : null;
    out.peerUris = tlsPresent ? peerUris : null;
    out.sensitive = isHttp && sensitive;
    return out;
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function mutableAddr(): MutableAddr {
  return { socket: false, address: '', port: 0 };
}

interface SecondsNanos {
  present: boolean;
  seconds: number;
  nanos: number;
}

/** An `Address` as scanned: whether its socket address was set, and that socket's fields. */
interface MutableAddr extends SocketAddr {
  socket: boolean;
  address: string;
  port: number;
}

/** Timestamps floor the nanoseconds (`timestampMicros`), durations truncate them (`durationMicros`). */
function micros(t: SecondsNanos, truncate: boolean): number {
  return t.seconds * 1_000_000 + (truncate ? Math.trunc(t.nanos / 1000) : Math.floor(t.nanos / 1000));
}
