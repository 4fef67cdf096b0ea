/**
 * The file sink on a real temporary directory: line format, partial tails (cut only in a file it
 * created, ended with a newline in any other), size rotation, rename underneath plus reopen, a file
 * or directory deleted while running, a blocked path retried, the operator's roots, and shutdown
 * flushing.
 */
import { appendFile, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../telemetry/metrics.js';
import { createSinkPolicy, type SinkPolicy } from '../shared/destination-policy.js';
import type { LineRecord } from '../shared/line-record.js';
import { until } from '../testing/until.js';
import { type FileSink, type FileSinkOptions, fileSinkFactory } from './index.js';

let dir: string;
const sinks: FileSink[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshlog-file-sink-'));
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.shutdown(500)));
  await rm(dir, { recursive: true, force: true });
});

function sinkAt(path: string, options: Partial<FileSinkOptions> = {}, policy?: SinkPolicy): FileSink {
  const sink = fileSinkFactory.create({ type: 'file', path }, { metrics: createMetrics(), ...(policy ? { policy } : {}) }, { flushIntervalMs: 5, ...options });
  sinks.push(sink);
  return sink;
}

const lines = (...texts: string[]): LineRecord[] => texts.map((text) => ({ text }));

describe('file sink', () => {
  it('appends one record per line: text as is, objects as JSON', async () => {
    const path = join(dir, 'access.log');
    await writeFile(path, 'existing line\n');
    const sink = sinkAt(path);
    sink.push([{ text: '[2026-11-23T10:00:00.000Z] GET /productpage 200' }, { object: { method: 'GET', code: 200, ua: null } }]);
    sink.push(lines('second batch'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(
      'existing line\n[2026-11-23T10:00:00.000Z] GET /productpage 200\n{"method":"GET","code":200,"ua":null}\nsecond batch\n',
    );
    expect(sink.name).toBe(`file:${path}`);
  });

  it('never cuts a file it did not create: an unterminated last line is ended with a newline', async () => {
    const path = join(dir, 'theirs.log');
    await writeFile(path, "complete one\ncomplete two\nsomeone else's last line");
    const sink = sinkAt(path);
    sink.push(lines('ours'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe("complete one\ncomplete two\nsomeone else's last line\nours\n");
  });

  it('cuts a partial tail from a file it created, longer than the chunk it reads backwards in', async () => {
    const path = join(dir, 'ours.log');
    const sink = sinkAt(path);
    sink.push(lines('complete'));
    expect(await sink.flush()).toBe(true);
    // What a write cut short leaves: then the file is opened again.
    await appendFile(path, 'x'.repeat(200_000));
    await sink.reopen();
    sink.push(lines('fresh'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('complete\nfresh\n');
  });

  it('opens the path again when the file or its directory is deleted while it runs', async () => {
    const path = join(dir, 'logs', 'app', 'access.log');
    const sink = sinkAt(path);
    sink.push(lines('first'));
    expect(await sink.flush()).toBe(true);
    await unlink(path);
    sink.push(lines('after unlink'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('after unlink\n');
    await rm(join(dir, 'logs'), { recursive: true });
    sink.push(lines('after rm -r'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('after rm -r\n');
    expect(sink.stats()).toMatchObject({ sent: 3, errors: 0 });
  });

  it('writes only under the operator roots: a path outside, or a symbolic link out of one, is dropped and counted', async () => {
    const root = join(dir, 'root');
    await mkdir(join(dir, 'outside'), { recursive: true });
    await mkdir(root);
    await symlink(join(dir, 'outside'), join(root, 'escape'));
    const policy = createSinkPolicy({ fileRoots: [root] });
    const inside = sinkAt(join(root, 'a', 'ok.log'), {}, policy);
    const linked = sinkAt(join(root, 'escape', 'x.log'), {}, policy);
    const outside = sinkAt(join(dir, 'outside', 'y.log'), {}, policy);
    for (const s of [inside, linked, outside]) s.push(lines('entry'));
    expect(await inside.flush()).toBe(true);
    await until(() => linked.stats().dropped.permanent === 1 && outside.stats().dropped.permanent === 1);
    expect(linked.stats().lastError).toMatch(/Refusing to write .*escape\/x\.log: .* is outside the directories file backends may write to/);
    await expect(stat(join(dir, 'outside', 'x.log'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dir, 'outside', 'y.log'))).rejects.toThrow(/ENOENT/);
  });

  it('rotates by size into path.1 .. path.N and keeps only N', async () => {
    const path = join(dir, 'rotating.log');
    const sink = sinkAt(path, { maxBytes: 100, keep: 2 });
    const written: string[] = [];
    for (let batch = 0; batch < 12; batch++) {
      const texts = [0, 1].map((i) => `batch ${String(batch).padStart(2, '0')} line ${i} ${'.'.repeat(12)}`);
      written.push(...texts);
      sink.push(lines(...texts));
      expect(await sink.flush()).toBe(true);
    }
    const current = await readFile(path, 'utf8');
    const one = await readFile(`${path}.1`, 'utf8');
    const two = await readFile(`${path}.2`, 'utf8');
    await expect(stat(`${path}.3`)).rejects.toThrow(/ENOENT/);
    for (const content of [current, one, two]) {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(100);
      expect(content.endsWith('\n')).toBe(true);
    }
    // Oldest to newest, the kept files are exactly the last lines written, in order.
    const kept = (two + one + current).trimEnd().split('\n');
    expect(kept).toEqual(written.slice(written.length - kept.length));
    expect(kept.length).toBeGreaterThanOrEqual(6);
  });

  it('with keep 0, rotation starts the file afresh and keeps no old ones', async () => {
    const path = join(dir, 'no-history.log');
    const sink = sinkAt(path, { maxBytes: 20, keep: 0 });
    for (const text of ['first line 0123', 'second line 012', 'third line 0123']) {
      sink.push(lines(text));
      expect(await sink.flush()).toBe(true);
    }
    expect(await readFile(path, 'utf8')).toBe('third line 0123\n');
    await expect(stat(`${path}.1`)).rejects.toThrow(/ENOENT/);
  });

  it('after the file is renamed underneath (logrotate), new lines go to a new file at the path; reopen is harmless', async () => {
    const path = join(dir, 'envoy.log');
    const sink = sinkAt(path);
    sink.push(lines('before rotation'));
    expect(await sink.flush()).toBe(true);
    await rename(path, `${path}.old`);
    // The path no longer leads to the open file: the next batch opens it again, no SIGHUP needed.
    sink.push(lines('between rename and reopen'));
    expect(await sink.flush()).toBe(true);
    await sink.reopen();
    sink.push(lines('after reopen'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(`${path}.old`, 'utf8')).toBe('before rotation\n');
    expect(await readFile(path, 'utf8')).toBe('between rename and reopen\nafter reopen\n');
  });

  it('retries with backoff while the directory cannot be made and never throws into the caller', async () => {
    const path = join(dir, 'not-yet', 'access.log');
    // A file where the directory should be: nothing can be written until it goes.
    await writeFile(join(dir, 'not-yet'), 'in the way');
    const sink = sinkAt(path, { retry: { initialMs: 5, maxMs: 20, multiplier: 2, jitter: 0 } });
    expect(sink.push(lines('waiting', 'for the directory'))).toBe(2);
    expect(await sink.flush()).toBe(false);
    await until(() => sink.stats().errors >= 2);
    expect(sink.stats()).toMatchObject({ queued: 2, sent: 0 });
    expect(sink.stats().lastError).toMatch(/EEXIST|ENOTDIR/);
    await unlink(join(dir, 'not-yet'));
    await until(() => sink.stats().sent === 2);
    expect(await readFile(path, 'utf8')).toBe('waiting\nfor the directory\n');
  });

  it('shutdown writes what is queued before it returns', async () => {
    const path = join(dir, 'shutdown.log');
    const sink = sinkAt(path, { flushIntervalMs: 60_000 });
    sink.push(lines('a', 'b', 'c'));
    await sink.shutdown(1_000);
    expect(await readFile(path, 'utf8')).toBe('a\nb\nc\n');
  });

  it('validates the path without touching the file system', () => {
    expect(fileSinkFactory.validate({ type: 'file', path: '' }, 'spec.backends[0].file')).toEqual([
      { field: 'spec.backends[0].file.path', message: 'file backend requires a valid path: "" is not an absolute path' },
    ]);
    expect(fileSinkFactory.validate({ type: 'file', path: '/var/log/a.log' }, 'x')).toEqual([]);
    expect(fileSinkFactory.validate({ type: 'file', path: '/var/log/../lib/meshlog/meshlog.db' }, 'x')).toEqual([
      { field: 'x.path', message: `"/var/log/../lib/meshlog/meshlog.db" contains '..'; write the path without it` },
    ]);
    const policy = createSinkPolicy({ fileRoots: ['/var/log/meshlog', '/srv/logs'] });
    expect(fileSinkFactory.validate({ type: 'file', path: '/var/log/meshlog/a/b.log' }, 'x', policy)).toEqual([]);
    expect(fileSinkFactory.validate({ type: 'file', path: '/var/log/meshlog-other.log' }, 'x', policy)).toEqual([
      {
        field: 'x.path',
        message: '"/var/log/meshlog-other.log" is outside the directories file backends may write to (/var/log/meshlog, /srv/logs; set with --file-sink-root)',
      },
    ]);
  });
});
