/**
 * Writes batches of lines to one file: appended with O_APPEND, a whole batch in one write,
 * rotated by size, reopened on request (external logrotate), and never left with a partial line.
 *
 * A crash (or a failed write, e.g. ENOSPC) can leave the last line half written; readers such as
 * Fluent Bit or Vector would then glue it to the next line. So whenever the file is opened, a tail
 * after the last newline is cut off; the batch it belonged to is written again in full by the
 * retry, which is why delivery to a file is at-least-once. The file is meshlog's alone: another
 * writer appending to it at the same time could lose a half-written line to this.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { BatchWriter } from '../types.js';
import { encodeLines, type LineRecord } from '../shared/line-record.js';

export interface FileWriterOptions {
  /** Rotate before a batch would make the file larger than this; 0 turns rotation off. */
  readonly maxBytes: number;
  /** Rotated files kept: `path.1` (newest) to `path.N`; 0 keeps none. */
  readonly keep: number;
  /** Permissions of a file meshlog creates. */
  readonly mode: number;
}

export interface FileWriter extends BatchWriter<LineRecord> {
  /** Closes the file; the next batch opens the path again (after logrotate renamed it). */
  reopen(): Promise<void>;
}

const tailChunk = 64 * 1024;

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

export function createFileWriter(path: string, options: FileWriterOptions): FileWriter {
  let handle: FileHandle | null = null;
  let size = 0;
  // Writes come one at a time from the queue, but reopen() and close() may arrive during one.
  let chain: Promise<unknown> = Promise.resolve();

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  }

  async function openFile(): Promise<FileHandle> {
    // 'a+': O_APPEND for the writes, readable for the tail check.
    const opened = await open(path, 'a+', options.mode);
    try {
      size = await dropPartialTail(opened);
    } catch (error) {
      await opened.close();
      throw error;
    }
    handle = opened;
    return opened;
  }

  async function closeFile(): Promise<void> {
    const current = handle;
    handle = null;
    await current?.close();
  }

  async function rotate(): Promise<void> {
    await closeFile();
    if (options.keep === 0) {
      await ignoreMissing(unlink(path));
      return;
    }
    await ignoreMissing(unlink(`${path}.${options.keep}`));
    for (let i = options.keep - 1; i >= 1; i--) await ignoreMissing(rename(`${path}.${i}`, `${path}.${i + 1}`));
    await ignoreMissing(rename(path, `${path}.1`));
  }

  return {
    write(batch) {
      return serialized(async () => {
        const bytes = encodeLines(batch);
        let current = handle ?? (await openFile());
        // A batch is never split across files: the file exceeds maxBytes only when one batch does.
        if (options.maxBytes > 0 && size > 0 && size + bytes.length > options.maxBytes) {
          await rotate();
          current = await openFile();
        }
        try {
          await writeAll(current, bytes);
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
