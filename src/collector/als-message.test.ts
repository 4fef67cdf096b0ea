import { describe, expect, it } from 'vitest';
import { loadAlsTypes } from '../envoy/protos.js';
import { MalformedMessageError, scanAlsMessage } from './als-message.js';

const types = loadAlsTypes();

function encode(message: Record<string, unknown>): Uint8Array {
  return types.StreamAccessLogsMessage.encode(types.StreamAccessLogsMessage.fromObject(message)).finish();
}

const httpEntry = (path: string, code: number) => ({
  commonProperties: { upstreamCluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local' },
  request: { path, requestMethod: 'GET', requestHeaders: { foo: 'bar' } },
  response: { responseCode: { value: code } },
});

describe('scanAlsMessage', () => {
  it('reads the identifier and every HTTP entry, keeping each entry’s exact bytes', () => {
    const bytes = encode({
      identifier: { node: { id: 'sidecar~1.2.3.4~a.b~b.svc.cluster.local' }, logName: 'http_envoy_accesslog' },
      httpLogs: { logEntry: [httpEntry('/a', 200), httpEntry('/b', 503)] },
    });
    const scanned = scanAlsMessage(bytes, types);
    expect(scanned.identifier?.node?.id).toBe('sidecar~1.2.3.4~a.b~b.svc.cluster.local');
    expect(scanned.kind).toBe('http');
    expect(scanned.encoded.map((e) => (types.HTTPAccessLogEntry.decode(e) as unknown as { request: { path: string } }).request.path)).toEqual(['/a', '/b']);
    for (const [i, encoded] of scanned.encoded.entries()) {
      const again = types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject(httpEntry(i === 0 ? '/a' : '/b', i === 0 ? 200 : 503))).finish();
      expect(Buffer.from(encoded).equals(Buffer.from(again))).toBe(true);
    }
  });

  it('reads TCP entries without an identifier (later messages of a stream)', () => {
    const scanned = scanAlsMessage(encode({ tcpLogs: { logEntry: [{ connectionProperties: { receivedBytes: 10, sentBytes: 20 } }] } }), types);
    expect(scanned.identifier).toBeUndefined();
    expect(scanned.kind).toBe('tcp');
    expect(scanned.encoded).toHaveLength(1);
  });

  it('skips unknown fields, as any proto reader must', () => {
    const known = encode({ httpLogs: { logEntry: [httpEntry('/x', 200)] } });
    // Field 15, varint 1, in front of the known fields.
    const withUnknown = Buffer.concat([Buffer.from([0x78, 0x01]), known]);
    expect(scanAlsMessage(withUnknown, types).encoded).toHaveLength(1);
  });

  it.each([
    ['a truncated message', (b: Uint8Array) => b.subarray(0, b.length - 3)],
    ['a length prefix past the end', () => Uint8Array.from([0x12, 0x7f, 0x0a, 0x00])],
    ['field number 0', () => Uint8Array.from([0x02, 0x00])],
    ['an invalid wire type', () => Uint8Array.from([0x0f, 0x01])],
    // httpLogs { logEntry { field 1, length 5, but only 1 byte inside the entry } }
    ['an entry whose field overruns it', () => Uint8Array.from([0x12, 0x05, 0x0a, 0x03, 0x0a, 0x05, 0x00])],
  ])('refuses %s with a MalformedMessageError', (_name, mangle) => {
    const bytes = mangle(encode({ httpLogs: { logEntry: [httpEntry('/a', 200), httpEntry('/b', 200)] } }));
    expect(() => scanAlsMessage(bytes, types)).toThrow(MalformedMessageError);
  });
});
