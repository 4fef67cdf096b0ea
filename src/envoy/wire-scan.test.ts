/**
 * The wire scan against protobufjs's decode, on a random corpus: HTTP and TCP entries with every
 * field the scan reads (and many it skips) set or left out at random, odd values (empty strings,
 * non-ASCII, 64-bit numbers, negative times), unknown fields, and entries concatenated on the wire
 * (a later occurrence of a field replaces the earlier one). Same seed, same corpus.
 */
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { EntryKind } from '../model/entry.js';
import { entryColumns, socketAddressParts } from './entry-fields.js';
import { loadAlsTypes } from './protos.js';
import { responseFlags } from './response-flags.js';
import { createWireScanner, WireFormatError } from './wire-scan.js';

const types = loadAlsTypes();
const sensitive = new Set(['authorization', 'cookie', 'set-cookie', 'x-api-key']);
const scan = createWireScanner(types, sensitive);

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(seed: number) {
  const random = mulberry32(seed);
  const maybe = (p = 0.5) => random() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const text = () =>
    pick([
      '',
      'a',
      'reviews:9080',
      '/ratings/0?x=1',
      'ünïcødé ✓',
      'x'.repeat(200),
      'outbound|9080||ratings.bookinfo.svc.cluster.local',
      'TLS error: Secret is not supplied by SDS',
    ]);
  const big = () => pick([0, 1, 127, 128, 2 ** 31, 2 ** 32 + 5, 2 ** 40, Number.MAX_SAFE_INTEGER]);
  const time = () => ({
    ...(maybe() ? { seconds: pick([0, 1, 1_700_000_000, -5, 2 ** 33]) } : {}),
    ...(maybe() ? { nanos: pick([0, 1, 999, 1000, 999_999_999, -1500]) } : {}),
  });
  const address = () =>
    pick([
      { socketAddress: { address: pick(['10.0.0.1', '::1', '', 'ratings']), portValue: pick([0, 80, 9080, 65535]) } },
      { socketAddress: { address: '10.0.0.2' } },
      { socketAddress: { address: '10.0.0.3', portValue: 80, namedPort: 'http' } },
      { pipe: { path: '/var/run/x.sock' } },
      {},
    ]);
  const headers = () =>
    Object.fromEntries(
      Array.from({ length: Math.floor(random() * 4) }, () => [
        pick(['foo', 'authorization', 'Cookie', 'x-b3-traceid', 'set-cookie', 'X-Api-Key', 'cookiz', 'AUTHORIZATIO_', 'COO\u212AIE', 'x-api-ké', '']),
        text(),
      ]),
    );
  const flags = () =>
    Object.fromEntries(
      responseFlags.filter((f) => f.field !== null && maybe(0.15)).map((f) => [f.field, f.field === 'unauthorizedDetails' ? { reason: 1 } : true]),
    );
  const common = () => ({
    ...(maybe() ? { startTime: time() } : {}),
    ...(maybe() ? { duration: time() } : {}),
    ...(maybe() ? { timeToLastDownstreamTxByte: time() } : {}),
    ...(maybe() ? { timeToFirstUpstreamTxByte: time() } : {}),
    ...(maybe() ? { upstreamCluster: text() } : {}),
    ...(maybe() ? { upstreamTransportFailureReason: text() } : {}),
    ...(maybe() ? { responseFlags: flags() } : {}),
    ...(maybe() ? { downstreamLocalAddress: address() } : {}),
    ...(maybe() ? { downstreamRemoteAddress: address() } : {}),
    ...(maybe() ? { downstreamDirectRemoteAddress: address() } : {}),
    ...(maybe() ? { upstreamRemoteAddress: address() } : {}),
    ...(maybe() ? { routeName: text(), sampleRate: random() } : {}),
    ...(maybe()
      ? {
          tlsProperties: {
            tlsSniHostname: text(),
            peerCertificateProperties: { subjectAltName: maybe() ? [{ uri: 'spiffe://cluster.local/ns/a/sa/b' }, { dns: 'x' }, { uri: '' }] : [] },
          },
        }
      : {}),
    ...(maybe() ? { customTags: { a: text() } } : {}),
  });
  const http = () => ({
    ...(maybe(0.8) ? { commonProperties: common() } : {}),
    ...(maybe() ? { protocolVersion: pick([0, 1, 2, 3]) } : {}),
    ...(maybe(0.8)
      ? {
          request: {
            ...(maybe() ? { requestMethod: pick([0, 1, 3, 9]) } : {}),
            ...(maybe() ? { authority: text() } : {}),
            ...(maybe() ? { path: text() } : {}),
            ...(maybe() ? { requestId: text() } : {}),
            ...(maybe() ? { userAgent: text() } : {}),
            ...(maybe() ? { requestBodyBytes: big() } : {}),
            ...(maybe() ? { requestHeaders: headers() } : {}),
          },
        }
      : {}),
    ...(maybe(0.8)
      ? {
          response: {
            ...(maybe() ? { responseCode: maybe(0.9) ? { value: pick([200, 404, 503, 0]) } : {} } : {}),
            ...(maybe() ? { responseBodyBytes: big() } : {}),
            ...(maybe() ? { responseCodeDetails: text() } : {}),
            ...(maybe() ? { responseHeaders: headers() } : {}),
            ...(maybe() ? { responseTrailers: headers() } : {}),
          },
        }
      : {}),
  });
  const tcp = () => ({
    ...(maybe(0.8) ? { commonProperties: common() } : {}),
    ...(maybe() ? { connectionProperties: { ...(maybe() ? { receivedBytes: big() } : {}), ...(maybe() ? { sentBytes: big() } : {}) } } : {}),
  });
  const encode = (kind: EntryKind, object: Record<string, unknown>) => {
    const type = kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry;
    return type.encode(type.fromObject(object)).finish();
  };
  return Array.from({ length: 3000 }, () => {
    const kind: EntryKind = maybe() ? 'http' : 'tcp';
    const make = kind === 'http' ? http : tcp;
    let bytes = encode(kind, make());
    // Unknown fields (a varint, a length-delimited blob, a fixed64) before or after the known ones.
    if (maybe(0.3)) {
      const unknown = protobuf.Writer.create()
        .uint32((99 << 3) | 0)
        .uint64(12345)
        .uint32((100 << 3) | 2)
        .bytes(Uint8Array.from([1, 2, 3]))
        .uint32((101 << 3) | 1)
        .fixed64(7)
        .finish();
      bytes = Buffer.concat(maybe() ? [unknown, bytes] : [bytes, unknown]);
    }
    // Two entries on the wire as one: later fields replace earlier ones.
    if (maybe(0.2)) bytes = Buffer.concat([bytes, encode(kind, make())]);
    return { kind, bytes };
  });
}

describe('wire scan', () => {
  it('gives exactly the columns protobufjs decoding gives, on a random corpus', () => {
    for (const seed of [1, 2, 3]) {
      for (const { kind, bytes } of corpus(seed)) {
        const type = kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry;
        const decoded = type.decode(bytes) as unknown as Record<string, unknown>;
        const expected = entryColumns(kind, decoded, 42);
        const got = scan(kind, bytes, 42);
        const { downstreamLocal, downstreamRemote, downstreamDirectRemote, upstreamRemote, peerUris, sensitive: hasSensitive, ...columns } = got;
        const context = JSON.stringify(type.toObject(type.decode(bytes)));
        expect(columns, context).toEqual(expected);
        const c = decoded['commonProperties'] as Record<string, unknown> | null;
        const addr = (a: { address: string; port: number } | null) => (a ? { address: a.address, port: a.port } : null);
        expect(addr(downstreamLocal), context).toEqual(socketAddressParts(c?.['downstreamLocalAddress']));
        expect(addr(downstreamRemote), context).toEqual(socketAddressParts(c?.['downstreamRemoteAddress']));
        expect(addr(downstreamDirectRemote), context).toEqual(socketAddressParts(c?.['downstreamDirectRemoteAddress']));
        expect(addr(upstreamRemote), context).toEqual(socketAddressParts(c?.['upstreamRemoteAddress']));
        const tls = c?.['tlsProperties'] as { peerCertificateProperties?: { subjectAltName?: Array<{ uri?: string }> } | null } | null;
        const uris = tls ? (tls.peerCertificateProperties ? tls.peerCertificateProperties.subjectAltName!.map((s) => s.uri).filter(Boolean) : null) : null;
        expect(peerUris, context).toEqual(uris);
        const maps = [
          (decoded['request'] as { requestHeaders?: Record<string, string> } | null)?.requestHeaders,
          (decoded['response'] as { responseHeaders?: Record<string, string> } | null)?.responseHeaders,
          (decoded['response'] as { responseTrailers?: Record<string, string> } | null)?.responseTrailers,
        ];
        const decodedSensitive = kind === 'http' && maps.some((m) => Object.keys(m ?? {}).some((k) => sensitive.has(k.toLowerCase())));
        expect(hasSensitive, context).toBe(decodedSensitive);
      }
    }
  });

  it('refuses malformed bytes with a WireFormatError, never a wrong answer', () => {
    const good = types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject({ request: { path: '/a' } })).finish();
    for (const bad of [
      good.subarray(0, good.length - 1),
      Uint8Array.from([0x1a, 0x05, 0x2a]),
      Uint8Array.from([0x0f, 0x01]),
      Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ]) {
      expect(() => scan('http', bad)).toThrow(WireFormatError);
    }
  });
});
