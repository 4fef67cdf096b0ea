/**
 * The operator's redaction settings end to end: a query token in `:path` is redacted in the stored
 * entry and in the store's `path` column (a query cannot find it), headers the operator adds are
 * redacted, and a header the operator reveals is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const collectAll = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: everything, namespace: gloo-mesh}
spec: {}
`;

type Items = { items: Array<{ httpAccessLog: { request: { path: string; requestHeaders?: Record<string, string> } } }> };

describe('redaction settings', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-redaction-'));
    server = await runServer({
      dataDir,
      alsHost: '127.0.0.1',
      alsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
      redaction: { sensitiveHeaders: ['x-tenant-secret'], revealHeaders: ['cookie'], redactQueryParams: ['session'] },
    });
    base = `http://127.0.0.1:${server.httpPort}`;
    await fetch(`${base}/api/v1/resources`, { method: 'POST', body: collectAll });
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    try {
      const stream = als.open();
      const headers = { 'x-tenant-secret': 'ts-1', cookie: 'theme=dark', 'x-amz-security-token': 'FQoG' };
      await stream.write({
        identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'),
        httpLogs: { logEntry: [httpEntry('/login?token=abc123&session=s-9&lang=en', { headers })] },
      });
      expect((await stream.end()).error).toBeNull();
    } finally {
      als.close();
    }
    await server.store.flush();
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const query = async (params: string) => ((await (await fetch(`${base}/api/v1/logs?${params}`)).json()) as Items).items;

  it('stores the path with its secret query values redacted, in the entry and in the path column', async () => {
    const [item] = await query('path=/login');
    expect(item!.httpAccessLog.request.path).toBe('/login?token=[redacted]&session=[redacted]&lang=en');
    expect(await query(`pathRegex=${encodeURIComponent('abc123|s-9')}`)).toEqual([]);
    expect(await query(`pathRegex=${encodeURIComponent('token=\\[redacted\\]')}`)).toHaveLength(1);
  });

  it('redacts the headers the operator adds and the widened defaults, and keeps the one revealed', async () => {
    const [item] = await query('path=/login');
    expect(item!.httpAccessLog.request.requestHeaders).toEqual({ 'x-tenant-secret': '[redacted]', cookie: 'theme=dark', 'x-amz-security-token': '[redacted]' });
  });
});
