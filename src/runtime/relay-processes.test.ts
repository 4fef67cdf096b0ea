/**
 * `meshlog server` and `meshlog agent` as real processes over mTLS on loopback, through crashes
 * and restarts: every entry an agent accepted (its ALS stream answered OK) is stored exactly once;
 * a server away for a while gets the buffer replayed in order; an agent restarted keeps its
 * buffer; a full buffer drops its oldest entries and counts them. No timing is asserted: waits
 * are bounded polls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentArgs,
  applyResources,
  type Child,
  collectEverything,
  metric,
  sendStreams,
  serverArgs,
  startMeshlog,
  storedPaths,
  until,
} from '../relay/testing/relay-processes.js';
import { type DemoCertificates, makeDemoCertificates } from '../util/certificates.js';
import { freePort } from '../util/free-port.js';

describe('relay between processes', () => {
  let dir: string;
  let certs: DemoCertificates;
  const ports = { relay: 0, http: 0, als: 0, metrics: 0, als2: 0, metrics2: 0 };
  const children: Child[] = [];
  let server: Child;
  let agent: Child;
  const dataDir = () => path.join(dir, 'server');
  const startServer = async () => {
    server = startMeshlog(serverArgs(dataDir(), ports, certs));
    children.push(server);
    await until(`the server (${server.stderr()})`, async () => (await fetch(`http://127.0.0.1:${ports.http}/readyz`)).ok);
  };
  const startAgent = async (bufferDir: string, als = ports.als, metrics = ports.metrics, extra: string[] = []) => {
    const child = startMeshlog(agentArgs('mgmt-cluster', bufferDir, ports.relay, als, metrics, certs, extra));
    children.push(child);
    await until(`the agent (${child.stderr()})`, async () => (await fetch(`http://127.0.0.1:${metrics}/readyz`)).ok);
    return child;
  };
  const connected = (metricsPort: number) => until('the agent to connect', async () => (await metric(metricsPort, 'meshlog_relay_connected')) === 1);
  const stored = () => metric(ports.http, 'meshlog_store_entries');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-relay-processes-'));
    certs = await makeDemoCertificates(path.join(dir, 'certs'), ['mgmt-cluster']);
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    await startServer();
    await applyResources(ports.http, collectEverything);
    agent = await startAgent(path.join(dir, 'agent'));
    await connected(ports.metrics);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every accepted entry exactly once when the server is killed with -9 mid-stream and restarted', async () => {
    const sending = sendStreams(ports.als, 'kill', 150, 50);
    await until('entries at the server', async () => (await stored()) > 0);
    await server.kill9();
    await until('the agent to notice', async () => (await metric(ports.metrics, 'meshlog_relay_connected')) === 0);
    await startServer();
    const { accepted, refused } = await sending;
    expect(refused).toBe(0);
    await until('every accepted entry at the server', async () => (await stored()) >= accepted.length, 60_000);
    const paths = storedPaths(dataDir());
    expect(paths.length).toBe(accepted.length);
    expect(new Set(paths)).toEqual(new Set(accepted));
  }, 120_000);

  it('replays the buffer in order when the server comes back, across an agent restart', async () => {
    const before = storedPaths(dataDir()).length;
    await server.stop();
    const first = await sendStreams(ports.als, 'away', 20, 50);
    await until('the buffer to hold them', async () => (await metric(ports.metrics, 'meshlog_relay_buffer_entries')) === first.accepted.length);
    // The agent dies with everything in its buffer; a new one takes the same buffer.
    await agent.kill9();
    agent = await startAgent(path.join(dir, 'agent'));
    const second = await sendStreams(ports.als, 'away-again', 10, 50);
    expect(first.refused + second.refused).toBe(0);
    await startServer();
    const expected = [...first.accepted, ...second.accepted];
    await until('the replay', async () => (await stored()) >= before + expected.length, 60_000);
    expect(storedPaths(dataDir()).slice(before)).toEqual(expected);
    expect(await metric(ports.metrics, 'meshlog_relay_dropped_total')).toBe(0);
  }, 120_000);

  it('drops the oldest entries when the buffer is full, and counts every one', async () => {
    const small = await startAgent(path.join(dir, 'small'), ports.als2, ports.metrics2, ['--buffer-size', '1MiB']);
    await connected(ports.metrics2);
    const before = storedPaths(dataDir()).length;
    await server.stop();
    // About 4 MB of entries that do not compress, into a 1 MiB buffer.
    const { accepted } = await sendStreams(ports.als2, 'full', 100, 20, { padding: 2000 });
    const dropped = await until('drops', async () => (await metric(ports.metrics2, 'meshlog_relay_dropped_total')) || false);
    await startServer();
    await until(
      'the rest of the buffer',
      async () => (await metric(ports.metrics2, 'meshlog_relay_buffer_entries')) === 0 && (await metric(ports.metrics2, 'meshlog_relay_connected')) === 1,
      60_000,
    );
    const kept = storedPaths(dataDir()).slice(before);
    expect(kept.length + dropped).toBe(accepted.length);
    // What is left is the newest part, in order.
    expect(kept).toEqual(accepted.slice(accepted.length - kept.length));
    await small.stop();
  }, 120_000);
});
