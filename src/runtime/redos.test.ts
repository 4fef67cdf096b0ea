/**
 * Issue 14's ReDoS findings, end to end on loopback: a record whose header regex is `(a+)+$` and a
 * header of 28 `a`s and a `!` (13 s of backtracking for JavaScript's RegExp), and a `pathRegex`
 * query with the same pattern over a 27-character path (6 s). With RE2 both return at once; the
 * test's timeout is the bound. `(?P<name>…)`, which JavaScript refuses, proves RE2 did the matching.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const bomb = `${'a'.repeat(28)}!`;

const records = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: redos, namespace: gloo-mesh}
spec:
  filters:
    - headerMatcher: {name: x-payload, value: '(a+)+$', regex: true}
    - headerMatcher: {name: x-payload, value: '(?P<run>a+)!', regex: true}
`;

describe('user regexes run on RE2', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'meshlog-redos-'));
    server = await runServer({ dataDir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    base = `http://127.0.0.1:${server.httpPort}`;
    const applied = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: records });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('matches a record header regex against the catastrophic input without stalling ingest', { timeout: 20_000 }, async () => {
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    try {
      const stream = als.open();
      await stream.write({
        identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'),
        httpLogs: { logEntry: [httpEntry(`/${bomb}`, { headers: { 'x-payload': bomb } }), httpEntry('/plain', { headers: { 'x-payload': 'abc' } })] },
      });
      expect((await stream.end()).error).toBeNull();
    } finally {
      als.close();
    }
    await server.store.flush();
    const body = (await (await fetch(`${base}/api/v1/logs?limit=10`)).json()) as { items: Array<{ httpAccessLog: { request: { path: string } } }> };
    // `(a+)+$` matches neither value whole; only the `(?P<run>a+)!` filter (RE2 syntax) takes the first.
    expect(body.items.map((i) => i.httpAccessLog.request.path)).toEqual([`/${bomb}`]);
  });

  it('answers a pathRegex query with the catastrophic pattern', { timeout: 20_000 }, async () => {
    const pattern = encodeURIComponent('^/(a+)+$');
    const answer = await fetch(`${base}/api/v1/logs?pathRegex=${pattern}`);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { items: unknown[] }).items).toEqual([]);
    const named = await fetch(`${base}/api/v1/logs?pathRegex=${encodeURIComponent('^/(?P<run>a+)!$')}`);
    expect(((await named.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it("refuses a look-ahead with RE2's own message, at the parameter", async () => {
    const answer = await fetch(`${base}/api/v1/logs?pathRegex=${encodeURIComponent('(?=a)')}`);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(await answer.json())).toMatch(/pathRegex.*is not a valid RE2 regular expression: invalid perl operator: \(\?=/);
  });
});
