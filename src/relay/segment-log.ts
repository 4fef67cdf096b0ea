/**
 * The agent's bounded on-disk buffer (`--buffer-dir`, `--buffer-size`): an append-only log of
 * relay batches in segment files, read back in sequence order by the exporter, and deleted a
 * segment at a time once the server has acknowledged everything in it.
 *
 * A record is `[length u32][crc32 u32][sequence f64][entries u32]` then the batch's bytes, the CRC
 * covering everything after itself. Appends are `write(2)`s to the active segment, so a process
 * crash loses nothing appended (the page cache has it); `sync()` makes them survive a machine
 * crash too (`fdatasync`). On start, segments are scanned, a torn or corrupt tail is cut off, and
 * sequence numbers go on from the last one. When the buffer is over its size, the oldest segment
 * goes, acknowledged or not, and the entries it held that were not are counted as dropped.
 *
 * A little over 300 lines: the record format is written, scanned on recovery and read back here,
 * and those three must agree byte for byte, so they stay in one file.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writevSync,
} from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export interface SegmentLogOptions {
  readonly dir: string;
  /** The most bytes the segments may take together. */
  readonly maxBytes: number;
  /** Where a segment is closed and a new one begun (default: an eighth of `maxBytes`, at most 64 MiB). */
  readonly segmentBytes?: number;
  /** Unacknowledged entries lost to an overflow (or a corrupt segment found on start). */
  readonly onDropped?: (entries: number, batches: number, reason: 'overflow' | 'corrupt') => void;
}

export interface LogRecord {
  readonly sequence: number;
  readonly entries: number;
  readonly bytes: Uint8Array;
}

export interface LogCursor {
  /** The records after the last one read, up to about `maxBytes` (at least one when there is one). */
  next(maxBytes: number): LogRecord[];
}

export interface SegmentLog {
  /** This agent's id, made on first use and kept in the directory. */
  readonly agentId: string;
  /** Appends a record with the next sequence number, which `encode` is given; returns that number. Throws when the disk refuses it (nothing of it stays). */
  append(encode: (sequence: number) => Uint8Array, entries: number): number;
  /** Resolves once everything appended so far is on disk (fdatasync). */
  sync(): Promise<void>;
  /** Reads in order from the first record after `after` (skipping what overflow deleted). */
  cursor(after: number): LogCursor;
  /** The server has everything up to `through`: whole segments before it go. */
  ack(through: number): void;
  acked(): number;
  /** Sequences go on after `sequence` at least (the server has stored that far: a buffer restored from an old copy). */
  advanceTo(sequence: number): void;
  stats(): { bytes: number; segments: number; unackedEntries: number; lastSequence: number };
  close(): void;
}

const headerBytes = 20;
const stateFile = 'state.json';

interface Segment {
  readonly first: number;
  readonly file: string;
  fd: number;
  last: number;
  bytes: number;
  entries: number;
}

export class BufferDirError extends Error {
  override readonly name = 'BufferDirError';
}

export function openSegmentLog(options: SegmentLogOptions): SegmentLog {
  const dir = options.dir;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new BufferDirError(`--buffer-dir ${dir}: cannot create it (${err instanceof Error ? err.message : String(err)})`);
  }
  const segmentBytes = Math.max(64 * 1024, Math.min(options.segmentBytes ?? Math.floor(options.maxBytes / 8), 64 * 1024 * 1024));
  const state = readState(dir);
  const segments = recover(dir, options);
  let acked = state.acked;
  let next = Math.max(acked, ...segments.map((s) => Math.max(s.last, s.first - 1))) + 1;
  let total = segments.reduce((n, s) => n + s.bytes, 0);
  let persistedAcked = acked;
  let persistedAt = 0;
  let dirty = false;
  let syncing: Promise<void> | undefined;

  const persist = (force = false) => {
    if (acked === persistedAcked || (!force && Date.now() - persistedAt < 1_000)) return;
    const tmp = path.join(dir, `${stateFile}.tmp`);
    writeFileSync(tmp, JSON.stringify({ agentId: state.agentId, acked }));
    renameSync(tmp, path.join(dir, stateFile));
    persistedAcked = acked;
    persistedAt = Date.now();
  };

  const startSegment = () => {
    const file = path.join(dir, `${String(next).padStart(20, '0')}.seg`);
    segments.push({ first: next, file, fd: openSync(file, 'a+'), last: next - 1, bytes: 0, entries: 0 });
  };
  if (segments.length === 0) startSegment();

  const unackedIn = (s: Segment): number => {
    if (s.last <= acked) return 0;
    if (s.first > acked) return s.entries;
    let n = 0;
    scan(s, (h) => {
      if (h.sequence > acked) n += h.entries;
    });
    return n;
  };

  const removeOldest = () => {
    const s = segments.shift()!;
    closeSync(s.fd);
    unlinkSync(s.file);
    total -= s.bytes;
  };

  const dropOverflow = () => {
    while (total > options.maxBytes && segments.length > 1) {
      const victim = segments[0]!;
      const lost = unackedIn(victim);
      const batches = Math.max(0, victim.last - Math.max(acked, victim.first - 1));
      removeOldest();
      if (lost > 0 || batches > 0) options.onDropped?.(lost, batches, 'overflow');
      // What is gone can no longer be sent: the server will not see a gap as missing.
      acked = Math.max(acked, victim.last);
      persist();
    }
  };

  return {
    agentId: state.agentId,
    append(encode, entries) {
      let active = segments[segments.length - 1]!;
      if (active.bytes >= segmentBytes) {
        // The finished segment gets its fdatasync by the next sync(), which covers every open fd.
        startSegment();
        active = segments[segments.length - 1]!;
      }
      const sequence = next++;
      const bytes = encode(sequence);
      const header = Buffer.alloc(headerBytes);
      header.writeUInt32LE(bytes.byteLength, 0);
      header.writeDoubleLE(sequence, 8);
      header.writeUInt32LE(entries, 16);
      header.writeUInt32LE(crc32(bytes, crc32(header.subarray(8))), 4);
      try {
        writevSync(active.fd, [header, bytes]);
      } catch (err) {
        // A full disk: cut what part of the record was written, and give its number back.
        try {
          ftruncateSync(active.fd, active.bytes);
        } catch {
          // The next start cuts a torn record as it does after a crash.
        }
        next--;
        throw err;
      }
      active.bytes += headerBytes + bytes.byteLength;
      active.last = sequence;
      active.entries += entries;
      total += headerBytes + bytes.byteLength;
      dirty = true;
      dropOverflow();
      return sequence;
    },
    sync() {
      if (syncing) return syncing.then(() => (dirty ? this.sync() : undefined));
      if (!dirty) return Promise.resolve();
      dirty = false;
      const fds = segments.map((s) => s.fd);
      syncing = Promise.all(
        fds.map((fd) => new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err && err.code !== 'EBADF' ? reject(err) : resolve())))),
      ).then(
        () => {
          syncing = undefined;
        },
        (err: unknown) => {
          syncing = undefined;
          dirty = true;
          throw err;
        },
      );
      return syncing;
    },
    cursor(after) {
      let last = after;
      let at: { segment: Segment; offset: number } | undefined;
      return {
        next(maxBytes) {
          const out: LogRecord[] = [];
          let taken = 0;
          while (taken < maxBytes) {
            if (!at || !segments.includes(at.segment)) {
              const segment = segments.find((s) => s.last > last);
              if (!segment) break;
              at = { segment, offset: 0 };
            }
            const { segment } = at;
            if (at.offset >= segment.bytes) {
              if (segment === segments[segments.length - 1]) break;
              at = undefined;
              continue;
            }
            const header = Buffer.alloc(headerBytes);
            readSync(segment.fd, header, 0, headerBytes, at.offset);
            const length = header.readUInt32LE(0);
            const sequence = header.readDoubleLE(8);
            const start = at.offset + headerBytes;
            at.offset = start + length;
            if (sequence <= last) continue;
            const bytes = Buffer.alloc(length);
            readSync(segment.fd, bytes, 0, length, start);
            out.push({ sequence, entries: header.readUInt32LE(16), bytes });
            last = sequence;
            taken += length;
          }
          return out;
        },
      };
    },
    ack(through) {
      if (through <= acked) return;
      acked = Math.min(through, next - 1);
      while (segments.length > 1 && segments[0]!.last <= acked) removeOldest();
      persist();
    },
    acked: () => acked,
    advanceTo(sequence) {
      next = Math.max(next, sequence + 1);
    },
    stats() {
      let unacked = 0;
      for (const s of segments) if (s.first > acked) unacked += s.entries;
      const partial = segments.find((s) => s.first <= acked && s.last > acked);
      if (partial) unacked += unackedIn(partial);
      return { bytes: total, segments: segments.length, unackedEntries: unacked, lastSequence: next - 1 };
    },
    close() {
      persist(true);
      for (const s of segments) closeSync(s.fd);
      segments.length = 0;
    },
  };
}

function readState(dir: string): { agentId: string; acked: number } {
  const file = path.join(dir, stateFile);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { agentId?: unknown; acked?: unknown };
    if (typeof parsed.agentId === 'string' && parsed.agentId && typeof parsed.acked === 'number') return { agentId: parsed.agentId, acked: parsed.acked };
    throw new Error('agentId or acked missing');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new BufferDirError(`${file}: not a meshlog agent state file (${err instanceof Error ? err.message : String(err)}); move it away to start afresh`);
    }
    const fresh = { agentId: randomUUID(), acked: 0 };
    writeFileSync(file, JSON.stringify(fresh));
    return fresh;
  }
}

/** Each record's header, in order, up to the first that does not hold up; returns where the good part ends. */
function scan(s: Pick<Segment, 'fd' | 'bytes'>, visit: (h: { sequence: number; entries: number }) => void, verify = false): number {
  const header = Buffer.alloc(headerBytes);
  let offset = 0;
  while (offset + headerBytes <= s.bytes) {
    readSync(s.fd, header, 0, headerBytes, offset);
    const length = header.readUInt32LE(0);
    if (offset + headerBytes + length > s.bytes) break;
    if (verify) {
      const body = Buffer.alloc(length);
      readSync(s.fd, body, 0, length, offset + headerBytes);
      if (crc32(body, crc32(header.subarray(8))) !== header.readUInt32LE(4)) break;
    }
    visit({ sequence: header.readDoubleLE(8), entries: header.readUInt32LE(16) });
    offset += headerBytes + length;
  }
  return offset;
}

/** The segments on disk, each cut after its last good record. */
function recover(dir: string, options: SegmentLogOptions): Segment[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{20}\.seg$/.test(f))
    .sort();
  const out: Segment[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const fd = openSync(file, 'r+');
    const size = fstatSync(fd).size;
    const segment: Segment = { first: Number(name.slice(0, 20)), file, fd, last: Number(name.slice(0, 20)) - 1, bytes: size, entries: 0 };
    const good = scan(
      segment,
      (h) => {
        segment.last = h.sequence;
        segment.entries += h.entries;
      },
      true,
    );
    if (good < size) {
      // A torn last write (a crash mid-append) or damage: what follows cannot be trusted.
      ftruncateSync(fd, good);
      segment.bytes = good;
      if (name !== files[files.length - 1]) options.onDropped?.(0, 0, 'corrupt');
    }
    closeSync(fd);
    segment.fd = openSync(file, 'a+');
    out.push(segment);
  }
  return out;
}
