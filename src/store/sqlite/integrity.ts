/**
 * A shard file that is damaged is never opened as if it were fine.
 *
 * Two checks, before and after opening. The write-ahead log is read frame by frame against its
 * checksums (SQLite's documented WAL format): SQLite stops at the first frame that fails and
 * ignores everything after it, so a damaged frame early in the log would silently drop every
 * commit behind it. And once open, `PRAGMA quick_check` finds damaged pages. Either way the
 * damaged files are copied or moved aside with a name that says when, so that nothing is
 * discarded (`sqlite3 FILE .recover` can often get the rows back), and the caller says so.
 */
import { copyFileSync, existsSync, readFileSync, renameSync } from 'node:fs';

export interface WalCheck {
  readonly frames: number;
  /** Frames SQLite will use: up to the last commit before the first bad frame. */
  readonly usable: number;
  /** Commit frames after a bad frame: committed transactions SQLite would drop. */
  readonly droppedCommits: number;
}

const headerSize = 32;
const frameHeaderSize = 24;

/** Reads a WAL file's frames; undefined when there is no WAL (or it is empty or not a WAL). */
export function checkWal(walFile: string): WalCheck | undefined {
  if (!existsSync(walFile)) return undefined;
  const wal = readFileSync(walFile);
  if (wal.length < headerSize) return undefined;
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined;
  const bigEndian = magic === 0x377f0683;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let [s0, s1] = checksum(wal, 0, 24, 0, 0, bigEndian);
  if (s0 !== wal.readUInt32BE(24) || s1 !== wal.readUInt32BE(28)) return { frames: 0, usable: 0, droppedCommits: 0 };
  const frameSize = frameHeaderSize + pageSize;
  const frames = Math.floor((wal.length - headerSize) / frameSize);
  let usable = 0;
  let bad = -1;
  for (let i = 0; i < frames; i++) {
    const at = headerSize + i * frameSize;
    // A frame of an earlier generation of the log (other salts) ends it: that is normal.
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    [s0, s1] = checksum(wal, at, at + 8, s0, s1, bigEndian);
    [s0, s1] = checksum(wal, at + frameHeaderSize, at + frameSize, s0, s1, bigEndian);
    if (s0 !== wal.readUInt32BE(at + 16) || s1 !== wal.readUInt32BE(at + 20)) {
      bad = i;
      break;
    }
    if (wal.readUInt32BE(at + 4) !== 0) usable = i + 1;
  }
  if (bad < 0) return { frames, usable, droppedCommits: 0 };
  // Commits after the bad frame, in this generation of the log, are what SQLite would drop.
  let droppedCommits = 0;
  for (let i = bad + 1; i < frames; i++) {
    const at = headerSize + i * frameSize;
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) droppedCommits++;
  }
  return { frames, usable, droppedCommits };
}

/** SQLite's WAL checksum over `[from, to)` in 8-byte steps, continuing from (s0, s1). */
function checksum(buf: Buffer, from: number, to: number, s0: number, s1: number, bigEndian: boolean): [number, number] {
  let a = s0;
  let b = s1;
  for (let i = from; i < to; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    a = (a + x0 + b) >>> 0;
    b = (b + x1 + a) >>> 0;
  }
  return [a, b];
}

/** `FILE.damaged-2026-12-01T05-31-02Z`: a name beside the file that says when it was set aside. */
export function damagedName(file: string, now = new Date()): string {
  return `${file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/** Copies the database and its WAL aside, leaving them in place (SQLite then uses what it can). */
export function copyAside(file: string): string {
  const target = damagedName(file);
  copyFileSync(file, target);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${target}-wal`);
  return target;
}

/** Moves the database, its WAL and shared memory aside: the shard starts again empty. */
export function moveAside(file: string): string {
  const target = damagedName(file);
  renameSync(file, target);
  for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix);
  return target;
}
