/**
 * A chunk's Bloom filter of its rows' request ids: a query for request ids opens only the chunks
 * that may hold one of them.
 */

/** Bits per request id, and hashes per id: about 0.2% false positives. */
const bloomBitsPerId = 16;
const bloomHashes = 4;

/** Writes a request id's two hashes at `out[at]`, `out[at + 1]`, for `bloomFromHashes`. */
export function hashRequestId(requestId: string, out: Uint32Array, at: number): void {
  hash(requestId);
  out[at] = h1;
  out[at + 1] = h2;
}

/** The Bloom filter of `ids` request ids, from their hashes (`hashRequestId`). */
export function bloomFromHashes(hashes: Uint32Array, ids: number, allocate: (bytes: number) => Uint8Array): Uint8Array {
  const bits = Math.max(64, ids * bloomBitsPerId);
  const bloom = allocate(Math.ceil(bits / 8)).fill(0);
  const size = bloom.length * 8;
  for (let i = 0; i < ids; i++) {
    const a = hashes[2 * i]!;
    const b = hashes[2 * i + 1]!;
    for (let k = 0; k < bloomHashes; k++) {
      const h = ((a + Math.imul(k, b | 1)) >>> 0) % size;
      bloom[h >>> 3]! |= 1 << (h & 7);
    }
  }
  return bloom;
}

export function bloomMayContain(bloom: Uint8Array, requestId: string): boolean {
  if (bloom.length === 0) return true;
  const size = bloom.length * 8;
  hash(requestId);
  for (let k = 0; k < bloomHashes; k++) {
    const h = ((h1 + Math.imul(k, h2 | 1)) >>> 0) % size;
    if ((bloom[h >>> 3]! & (1 << (h & 7))) === 0) return false;
  }
  return true;
}

let h1 = 0;
let h2 = 0;
/** Two FNV-1a variants of a string into `h1`, `h2`; bit k is `h1 + k * h2` (double hashing). */
function hash(value: string): void {
  h1 = 0x811c9dc5;
  h2 = 0x01000193;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x01000193);
    h2 = Math.imul(h2 ^ ch, 0x5bd1e995) ^ (h2 >>> 15);
  }
}
