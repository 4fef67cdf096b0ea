/**
 * Writes batches of lines to one file: appended with O_APPEND, a whole batch in one write,
 * rotated by size, reopened on request (external logrotate) or when the file or its directory
 * was deleted or replaced, and never left with a partial line.
 *
 * A crash (or a failed write, e.g. ENOSPC) can leave the last line half written; readers such as
 * Fluent Bit or Vector would then glue it to the next line. A file this writer created is its own:
 * when reopened, a tail after the last newline is cut off, and the retry writes that batch again in
 * full (delivery to a file is at-least-once). A file meshlog did not create (it existed when first
 * opened) is never cut: an unterminated last line is ended with a newline instead.
 *
 * Under the operator's policy, the directory is resolved (symbolic links followed) when the file
 * opens, and a file outside every `--file-sink-root` is refused for good.
 */
import { type FileHandle, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PermanentDeliveryError } from '../shared/delivery-errors.js';
import { filePathProblem, type SinkPolicy } from '../shared/destination-policy.js';
import { encodeLines, type LineRecord } from '../shared/line-record.js';
import type { BatchWriter } from '../types.js';

export interface FileWriterOptions {
  /** Rotate before a batch would make the file larger than this; 0 turns rotation off. */
  readonly maxBytes: number;
  /** Rotated files kept: `path.1` (newest) to `path.N`; 0 keeps none. */
  readonly keep: number;
  /** Permissions of a file meshlog creates. */
  readonly mode: number;
  /** The operator's roots, checked on the real directory each time the file opens. */
  readonly policy?: SinkPolicy;
}

export interface FileWriter extends BatchWriter<LineRecord> {
  /** Closes the file; the next batch opens the path again (after logrotate renamed it). */
  reopen(): Promise<void>;
}

const tailChunk = 64 * 1024;

/** Ends an unterminated last line with a newline (never cutting it) and returns the new size. */
async function terminateLastLine(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return size;
  await writeAll(handle, Buffer.from('\n'));
  return size + 1;
}

/** Cuts the file after its last newline and returns the new size. */
async function dropPartialTail(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const chunk = Buffer.alloc(Math.min(tailChunk, size));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) {
      const keep = start + newline + 1;
      if (keep !== size) await handle.truncate(keep);
      return keep;
    }
    end = start;
  }
  await handle.truncate(0);
  return 0;
}

async function ignoreMissing(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** The file's identity: a path that no longer leads to it was deleted or replaced. */
type Inode = { readonly dev: number; readonly ino: number };
const sameInode = (a: Inode, b: Inode) => a.dev === b.dev && a.ino === b.ino;

export function createFileWriter(file: string, options: FileWriterOptions): FileWriter {
  let handle: FileHandle | null = null;
  let inode: Inode | null = null;
  /** The file this writer created (by inode): the only one whose tail it may cut. */
  let created: Inode | null = null;
  let size = 0;
  // Writes come one at a time from the queue, but reopen() and close() may arrive during one.
  let chain: Promise<unknown> = Promise.resolve();

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  }

  /** The path as written, then (once the directory exists) as the kernel resolves it: a symbolic link out of the roots is outside. */
  async function checkRoots(resolve: boolean): Promise<void> {
    if (!options.policy) return;
    let policy = options.policy;
    let real = file;
    if (resolve) {
      real = path.join(await realpath(path.dirname(file)), path.basename(file));
      // The roots resolved the same way (a root may sit under a symbolic link such as /tmp).
      policy = { ...policy, fileRoots: await Promise.all(policy.fileRoots.map((root) => realpath(root).catch(() => root))) };
    }
    const problem = filePathProblem(real, policy);
    if (problem) throw new PermanentDeliveryError(`Refusing to write ${file}: ${problem}.`);
  }

  async function openFile(): Promise<FileHandle> {
    await checkRoots(false);
    // A directory deleted while running is made again (the path is inside an allowed root).
    await mkdir(path.dirname(file), { recursive: true });
    await checkRoots(true);
    let opened: FileHandle;
    let fresh = false;
    try {
      // 'ax+' creates or fails: telling a file this writer made from one that was there.
      opened = await open(file, 'ax+', options.mode);
      fresh = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // 'a+': O_APPEND for the writes, readable for the tail check.
      opened = await open(file, 'a+', options.mode);
    }
    try {
      const st = await opened.stat();
      if (fresh) created = st;
      size = created !== null && sameInode(created, st) ? await dropPartialTail(opened) : await terminateLastLine(opened);
      inode = st;
    } catch (error) {
      await opened.close();
      throw error;
    }
    handle = opened;
    return opened;
  }

  /** The open file, unless its path now leads elsewhere or nowhere (deleted, replaced): then reopened. */
  async function current(): Promise<FileHandle> {
    if (handle === null || inode === null) return openFile();
    const now = await stat(file).catch(() => null);
    if (now !== null && sameInode(now, inode)) return handle;
    await closeFile();
    return openFile();
  }

  async function closeFile(): Promise<void> {
    const open = handle;
    handle = null;
    inode = null;
    await open?.close();
  }

  async function rotate(): Promise<void> {
    await closeFile();
    if (options.keep === 0) {
      await ignoreMissing(unlink(file));
      return;
    }
    await ignoreMissing(unlink(`${file}.${options.keep}`));
    for (let i = options.keep - 1; i >= 1; i--) await ignoreMissing(rename(`${file}.${i}`, `${file}.${i + 1}`));
    await ignoreMissing(rename(file, `${file}.1`));
  }

  return {
    write(batch) {
      return serialized(async () => {
        const bytes = encodeLines(batch);
        let target = await current();
        // A batch is never split across files: the file exceeds maxBytes only when one batch does.
        if (options.maxBytes > 0 && size > 0 && size + bytes.length > options.maxBytes) {
          await rotate();
          target = await openFile();
        }
        try {
          await writeAll(target, bytes);
          size += bytes.length;
        } catch (error) {
          // Reopening cuts whatever part of the batch got in; the retry writes it whole.
          await closeFile().catch(() => undefined);
          throw error;
        }
      });
    },
    reopen() {
      return serialized(closeFile);
    },
    close() {
      return serialized(closeFile);
    },
  };
}
