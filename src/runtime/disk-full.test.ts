/**
 * A full disk, for real: the data directory is a small tmpfs. What cannot be stored is not
 * acknowledged (the stream gets UNAVAILABLE and Envoy counts the loss), `/readyz` says why, and
 * writing resumes by itself when space returns, keeping what was accepted meanwhile.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const collectAll = 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n';

describe('a full disk', () => {
  let mountpoint: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    mountpoint = mkdtempSync(path.join(tmpdir(), 'meshlog-full-'));
    // Root is needed to mount; this machine's tests run as root (a clear failure otherwise).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountpoint]);
    server = await runServer({ dataDir: path.join(mountpoint, 'data'), alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    base = `http://127.0.0.1:${server.httpPort}`;
    await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: collectAll });
  });

  afterAll(async () => {
    await server?.shutdown();
    execFileSync('umount', [mountpoint]);
    rmSync(mountpoint, { recursive: true, force: true });
  });

  it('answers UNAVAILABLE instead of OK, says why on /readyz, and stores what it kept once space returns', async () => {
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`, { 'grpc.max_send_message_length': 8 * 1024 * 1024 });
    const big = 'x'.repeat(2000);
    let refused: grpc.ServiceError | null = null;
    let acknowledged = 0;
    try {
      // Streams of 200 entries of about 2 KB until one is refused: 3 MiB cannot hold them all.
      for (let s = 0; s < 40 && !refused; s++) {
        const stream = als.open();
        await stream.write({
          identifier: istioIdentifier(`fill${s % 4}-v1`, 'c1'),
          httpLogs: { logEntry: Array.from({ length: 200 }, (_, i) => httpEntry(`/fill/${s}/${i}`, { headers: { big } })) },
        });
        const { error } = await stream.end();
        if (error) refused = error;
        else acknowledged += 200;
      }
      expect(refused?.code).toBe(grpc.status.UNAVAILABLE);
      expect(refused?.details).toMatch(/could not be stored/);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/not ready: store shard 0: the store cannot write \(database or disk is full\)/);

      execFileSync('mount', ['-o', 'remount,size=64m', mountpoint]);
      const deadline = Date.now() + 20_000;
      while ((await fetch(`${base}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      await server.store.flush();
      // Everything acknowledged is stored, and what was held while the disk was full is stored too.
      const stored = (await (await fetch(`${base}/api/v1/logs?limit=10000&path=/fill/`)).json()) as { items: unknown[] };
      expect(stored.items.length).toBeGreaterThanOrEqual(acknowledged + 200);
    } finally {
      als.close();
    }
  });
});
