import { describe, expect, it } from 'vitest';
import { loadAlsTypes } from '../../envoy/protos.js';
import { unknownEnd } from '../../model/entry.js';
import { decodeStored, glooItem, stringify, v1Item } from '../../protojson/items.js';
import type { StoredEntry } from '../../store/types.js';
import { glooLines, v1Lines } from './item-lines.js';

const types = loadAlsTypes();

function stored(id: number, entry: Uint8Array): StoredEntry {
  return {
    id,
    ts: 1_700_000_000_000_000 + id,
    kind: 'http',
    workload: { name: 'reviews', namespace: 'bookinfo', clusterName: 'east' },
    labels: { app: 'reviews' },
    instance: 'reviews-v1-abc',
    direction: 'inbound',
    source: { ...unknownEnd, workload: 'productpage' },
    destination: unknownEnd,
    entry,
  };
}

function encode(path: string, status: number): Uint8Array {
  const message = {
    request: { path, requestMethod: 'GET' },
    response: { responseCode: { value: status } },
    commonProperties: { startTime: { seconds: 1_700_000_000, nanos: 5 } },
  };
  return types.HTTPAccessLogEntry.encode(types.HTTPAccessLogEntry.fromObject(message)).finish();
}

/** An entry whose path is not UTF-8: the wire writer leaves it to the decode, which repairs it. */
function notUtf8(): Uint8Array {
  const bytes = Buffer.from(encode('/aaaa', 200));
  const at = bytes.indexOf(Buffer.from('/aaaa'));
  bytes[at + 2] = 0xff;
  return bytes;
}

describe('query lines from stored bytes', () => {
  const items = [stored(1, encode('/productpage', 200)), stored(2, notUtf8()), stored(3, encode('/reviews/"1"\n', 503))];

  it('writes Gloo items as decode-and-stringify does, compact and pretty', () => {
    for (const pretty of [false, true]) {
      const expected = items.map((s) => stringify(glooItem(s.kind, s.workload, decodeStored(s)), pretty)).join('');
      expect(Buffer.from(glooLines(items, pretty)).toString()).toBe(expected);
    }
  });

  it('writes the /api/v1 head as v1Item does: no id, no direction, ports, odd strings, ends of any key order', () => {
    const labels = { app: 'a"b', 'x\\y': 'ü\n' };
    const odd: StoredEntry[] = [
      { ...items[0]!, direction: null, labels, instance: 'pod "1"\t' },
      { ...items[0]!, source: { ...unknownEnd, ip: '10.0.0.1', port: 9080 }, destination: { port: 443, service: 'x.y', cluster: '' } as never },
      { ...items[0]!, labels: {}, destination: { workload: 'w', ip: null, cluster: 'c' } as never },
    ];
    // A live entry has no store id yet.
    const live = odd.map(({ id: _id, ...rest }) => ({ ...rest, id: undefined as unknown as number }));
    for (const list of [odd, live, odd])
      expect(Buffer.from(v1Lines(list)).toString()).toBe(list.map((s) => stringify(v1Item(s, decodeStored(s)), false)).join(''));
  });

  it('writes /api/v1 NDJSON as decode-and-stringify does, with a repaired string where the bytes are not UTF-8', () => {
    const text = Buffer.from(v1Lines(items)).toString();
    expect(text).toBe(items.map((s) => stringify(v1Item(s, decodeStored(s)), false)).join(''));
    expect(text.split('\n')[1]).toContain('/a\ufffdaa');
  });
});
