import { describe, expect, it } from 'vitest';
import { loadAlsTypes } from './protos.js';
import { decodeRepairing, repairUtf8 } from './utf8-repair.js';

const types = loadAlsTypes();
const type = types.HTTPAccessLogEntry;

/** The entry with `marker` (ASCII, same length) in a header value, a path and a map key replaced by invalid bytes. */
function withInvalidUtf8(): Uint8Array {
  const good = type
    .encode(type.fromObject({ request: { path: '/p/XXXX', requestHeaders: { XXXX: 'ok', h: 'vXXXX' } }, response: { responseCode: { value: 200 } } }))
    .finish();
  const bytes = Buffer.from(good);
  for (let i = bytes.indexOf('XXXX'); i >= 0; i = bytes.indexOf('XXXX', i + 4)) bytes.set([0xff, 0xfe, 0xc3, 0x28], i);
  return bytes;
}

describe('invalid UTF-8 in an entry', () => {
  it('is refused by the strict decoder', () => {
    expect(() => type.decode(withInvalidUtf8())).toThrow();
  });

  it('is replaced string by string, keeping every other field, so that the entry decodes', () => {
    const repaired = repairUtf8(type, withInvalidUtf8());
    expect(repaired.repaired).toBe(3);
    const entry = type.toObject(type.decode(repaired.bytes)) as {
      request: { path: string; requestHeaders: Record<string, string> };
      response: { responseCode: { value: number } };
    };
    expect(entry.request.path).toBe('/p/\ufffd\ufffd\ufffd(');
    expect(entry.request.requestHeaders['h']).toBe('v\ufffd\ufffd\ufffd(');
    expect(entry.request.requestHeaders['\ufffd\ufffd\ufffd(']).toBe('ok');
    expect(entry.response.responseCode.value).toBe(200);
  });

  it('leaves valid entries byte for byte', () => {
    const good = type.encode(type.fromObject({ request: { path: '/ünï' } })).finish();
    expect(repairUtf8(type, good)).toEqual({ bytes: good, repaired: 0 });
    expect(decodeRepairing(type, good).repaired).toBe(0);
  });
});
