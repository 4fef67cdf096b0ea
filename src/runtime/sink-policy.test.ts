/**
 * Where policies may write and connect, on a running server (issue 14): a file backend outside the
 * `--file-sink-root` directories or with `..`, and a tcp / openTelemetry backend aimed at
 * link-local or metadata addresses, are refused when applied (400, naming the rule); what the
 * operator allows is accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const policy = (backend: string) => `type: MeshAccessLog
name: out
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
    - targetRef: {kind: Mesh}
      default:
        backends:
          - ${backend}
`;

describe('sink destinations on write', () => {
  let dir: string;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-sink-policy-'));
    server = await runServer({
      dataDir: path.join(dir, 'data'),
      alsHost: '127.0.0.1',
      alsPort: 0,
      httpPort: 0,
      logger: silentLogger(),
      sinkAllowHosts: ['127.0.0.0/8', 'collector.internal'],
    });
    base = `http://127.0.0.1:${server.httpPort}`;
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const apply = async (backend: string) => {
    const answer = await fetch(`${base}/api/v1/resources`, { method: 'POST', body: policy(backend) });
    return { status: answer.status, body: (await answer.json()) as { violations?: Array<{ field: string; message: string }> } };
  };

  it('refuses a file outside the roots, naming them, and a path with ..', async () => {
    const outside = await apply('file: {path: /etc/cron.d/meshlog}');
    expect(outside.status).toBe(400);
    expect(outside.body.violations).toEqual([
      {
        field: 'spec.to[0].default.backends[0].file.path',
        message: `"/etc/cron.d/meshlog" is outside the directories file backends may write to (${path.join(dir, 'data', 'logs')}; set with --file-sink-root)`,
        line: 10,
        col: 26,
      },
    ]);
    const dots = await apply(`file: {path: ${path.join(dir, 'data', 'logs')}/../meshlog.db}`);
    expect(dots.status).toBe(400);
    expect(dots.body.violations?.[0]?.message).toMatch(/contains '\.\.'/);
  });

  it('refuses metadata and link-local destinations, and hosts off the allowlist', async () => {
    const metadata = await apply('tcp: {address: "169.254.169.254:80"}');
    expect(metadata.status).toBe(400);
    expect(metadata.body.violations?.[0]).toMatchObject({
      field: 'spec.to[0].default.backends[0].tcp.address',
      message: expect.stringMatching(/link-local or cloud metadata/),
    });
    const google = await apply('openTelemetry: {endpoint: "http://metadata.google.internal/computeMetadata/v1"}');
    expect(google.body.violations?.[0]?.message).toMatch(/cloud metadata service/);
    const elsewhere = await apply('tcp: {address: "192.0.2.10:5000"}');
    expect(elsewhere.body.violations?.[0]?.message).toBe('192.0.2.10 is not allowed by --sink-allow-host (allowed: 127.0.0.0/8, collector.internal)');
  });

  it('accepts what the operator allows, and a dry run applies nothing', async () => {
    expect((await apply(`file: {path: ${path.join(dir, 'data', 'logs', 'out.log')}}`)).status).toBe(200);
    expect((await apply('tcp: {address: "collector.internal:5000"}')).status).toBe(200);
    const dry = await fetch(`${base}/api/v1/resources?dryRun=1`, { method: 'POST', body: policy('tcp: {address: "127.0.0.1:5001"}') });
    expect(await dry.json()).toEqual({ results: [{ kind: 'MeshAccessLog', name: 'out', scope: 'default', outcome: 'valid' }] });
    const stored = server.resources.repository.get('MeshAccessLog', 'default', 'out')!.resource.spec as { to: Array<{ default: { backends: unknown[] } }> };
    expect(stored.to[0]!.default.backends).toEqual([{ tcp: { address: 'collector.internal:5000' } }]);
  });
});
