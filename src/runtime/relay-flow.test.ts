/**
 * Agent and server in one process over mTLS on loopback: edge filtering by the resources the
 * server pushes (and follows after an apply), the cluster stamped on proxies that do not name one,
 * the inventory, a policy's file backend delivered at the agent, and an agent whose certificate
 * is for another cluster refused. The process-level cases (kill -9, restarts) are in
 * `relay-processes.test.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResources } from '../api/load-yaml.js';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { loadAlsTypes } from '../envoy/protos.js';
import { createAgentAuthorizer } from '../relay/agent-clusters.js';
import { encodeAgentMessage, relayServicePath } from '../relay/protocol.js';
import { clientCredentials, serverCredentials } from '../relay/tls.js';
import { silentLogger } from '../telemetry/logger.js';
import { type DemoCertificates, makeDemoCertificates } from '../util/certificates.js';
import { type RunningAgent, runAgent } from './agent.js';
import { type RunningRelayServer, runRelayServer } from './server.js';

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const record = (name: string, filter: string) =>
  `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: ${name}, namespace: gloo-mesh}\nspec:\n  filters: [${filter}]\n`;

describe('agent → server relay (one process)', () => {
  let dir: string;
  let certs: DemoCertificates;
  let server: RunningRelayServer;
  let agent: RunningAgent;
  const apply = (yaml: string) => server.resources.repository.apply(loadResources(yaml, 'test').resources.map((r) => r.resource));
  const paths = async (cluster: string) => (await server.store.query({ limit: 1000, clusters: [cluster] })).items.map((i) => i.workload.name);
  const metric = async (port: number, name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(name))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-relay-'));
    certs = await makeDemoCertificates(path.join(dir, 'certs'), ['mgmt-cluster', 'remote-cluster']);
    server = await runRelayServer({
      dataDir: path.join(dir, 'server'),
      als: false,
      httpPort: 0,
      relayHost: '127.0.0.1',
      relayPort: 0,
      relayCredentials: serverCredentials({ cert: certs.server.cert, key: certs.server.key, ca: certs.ca }, '--tls', true),
      authorize: createAgentAuthorizer({ insecure: false, sans: new Map() }),
      // File backends are checked by the server when applied and by the agent that writes them.
      fileSinkRoots: [dir],
      logger: silentLogger(),
    });
    apply(record('access-log-all', '{headerMatcher: {name: foo, value: bar}}'));
    agent = await runAgent({
      cluster: 'mgmt-cluster',
      server: `localhost:${server.relayPort}`,
      relayCredentials: clientCredentials({ ...certs.agents['mgmt-cluster']!, ca: certs.ca }, '--tls'),
      bufferDir: path.join(dir, 'agent'),
      bufferBytes: 64 * 1024 * 1024,
      fileSinkRoots: [dir],
      alsHost: '127.0.0.1',
      alsPort: 0,
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      logger: silentLogger(),
    });
    await until('the agent to connect', () => agent.exporter.connected());
  }, 60_000);

  afterAll(async () => {
    await agent?.shutdown();
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays what the records collect at the edge, with the cluster stamped, and nothing else', async () => {
    const als = createAlsClient(`127.0.0.1:${agent.alsPort}`);
    const stream = als.open();
    await stream.write({
      identifier: istioIdentifier('reviews-v1', ''),
      httpLogs: { logEntry: [httpEntry('/kept', { headers: { foo: 'bar' } }), httpEntry('/not-kept'), httpEntry('/kept-too', { headers: { foo: 'bar' } })] },
    });
    // The stream is answered OK once its entries are in the agent's buffer, on disk.
    expect((await stream.end()).error).toBeNull();
    als.close();
    const items = await until('the relayed entries', async () => {
      const got = (await server.store.query({ limit: 100, clusters: ['mgmt-cluster'] })).items;
      return got.length >= 2 && got;
    });
    expect(items.map((i) => i.workload)).toEqual([
      { name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' },
      { name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' },
    ]);
    expect(await metric(agent.metricsPort, 'meshlog_entries_not_selected_total')).toBe(1);
    // The agent reports its proxies shortly after it hears from a new one.
    const listed = await until('the inventory', async () => {
      const proxies = (await (await server.app.request('/api/v1/proxies')).json()) as {
        items: Array<{ workloadRef?: { clusterName: string; name: string }; activeStreams?: number }>;
      };
      return proxies.items.find((p) => p.workloadRef?.name === 'reviews-v1');
    });
    expect(listed.workloadRef).toEqual({ name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' });
  });

  it('follows an apply on the server: a new record collects at the edge, a file backend is written there', async () => {
    const log = path.join(dir, 'agent-failed.log');
    apply(record('errors', '{statusCodeMatcher: {value: 500, comparator: GE}}'));
    apply(
      `type: MeshAccessLog\nmesh: default\nname: failed\nspec:\n  targetRef: {kind: Mesh}\n  to:\n    - targetRef: {kind: Mesh}\n      default:\n        backends:\n          - file: {path: ${JSON.stringify(log)}, format: {plain: '%REQ(:PATH)% %RESPONSE_CODE%'}}\n`,
    );
    const before = (await paths('mgmt-cluster')).length;
    // No timing promise: send until the agent filters by the new record (bounded).
    const als = createAlsClient(`127.0.0.1:${agent.alsPort}`);
    await until('the new record at the edge', async () => {
      const stream = als.open();
      await stream.write({ identifier: istioIdentifier('ratings-v1', ''), httpLogs: { logEntry: [httpEntry('/broken', { code: 503 })] } });
      await stream.end();
      return (await paths('mgmt-cluster')).length > before;
    });
    als.close();
    const lines = await until('the file backend', () => {
      try {
        return readFileSync(log, 'utf8').includes('/broken 503') && readFileSync(log, 'utf8');
      } catch {
        return false;
      }
    });
    expect(lines).toMatch(/^\/broken 503$/m);
    // The server did not deliver the policy's backend again: only the agent wrote lines.
    expect(await metric(server.httpPort, 'meshlog_sink_records_total')).toBe(0);
  });

  it('answers bad input on the relay port with INVALID_ARGUMENT and goes on serving', async () => {
    const client = new grpc.Client(`localhost:${server.relayPort}`, clientCredentials({ ...certs.agents['mgmt-cluster']!, ca: certs.ca }, '--tls'));
    const statusOf = (messages: Uint8Array[]) =>
      new Promise<grpc.StatusObject>((resolve) => {
        const call = client.makeBidiStreamRequest(
          relayServicePath,
          (b: Uint8Array) => Buffer.from(b),
          (b: Buffer) => b,
        );
        call.on('data', () => undefined);
        call.on('error', () => undefined);
        call.on('status', resolve);
        for (const m of messages) call.write(m);
      });
    const junk = await statusOf([Buffer.from([0xff, 0xff, 0xff, 0x0f])]);
    expect(junk.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(junk.details).toMatch(/agent message does not decode/);
    const headless = await statusOf([encodeAgentMessage({ inventory: { proxies: [] } })]);
    expect(headless).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'the first message must be a hello' });
    client.close();
    expect(agent.exporter.connected()).toBe(true);
  });

  it('takes ALS over TLS with --als-tls-*, from sidecars whose certificate the CA signed only', async () => {
    const tlsAgent = await runAgent({
      cluster: 'remote-cluster',
      server: `localhost:${server.relayPort}`,
      relayCredentials: clientCredentials({ ...certs.agents['remote-cluster']!, ca: certs.ca }, '--tls'),
      bufferDir: path.join(dir, 'tls-agent'),
      bufferBytes: 16 * 1024 * 1024,
      alsHost: '127.0.0.1',
      alsPort: 0,
      alsCredentials: serverCredentials({ ...certs.server, ca: certs.ca }, '--als-tls', false),
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      logger: silentLogger(),
    });
    const types = loadAlsTypes();
    const message = Buffer.from(
      types.StreamAccessLogsMessage.encode(
        types.StreamAccessLogsMessage.fromObject({
          identifier: istioIdentifier('details-v1', ''),
          httpLogs: { logEntry: [httpEntry('/over-tls', { headers: { foo: 'bar' } })] },
        }),
      ).finish(),
    );
    const send = (credentials: grpc.ChannelCredentials) =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        const client = new grpc.Client(`localhost:${tlsAgent.alsPort}`, credentials);
        const call = client.makeClientStreamRequest(
          '/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs',
          (b: Buffer) => b,
          (b: Buffer) => b,
          (err) => {
            client.close();
            resolve(err);
          },
        );
        call.write(message);
        call.end();
      });
    try {
      await until('the TLS agent to connect', () => tlsAgent.exporter.connected());
      expect(await send(grpc.credentials.createSsl(readFileSync(certs.ca)))).not.toBeNull();
      expect(await send(clientCredentials({ ...certs.agents['remote-cluster']!, ca: certs.ca }, '--als-tls'))).toBeNull();
      await until('the entry sent over TLS', async () => (await paths('remote-cluster')).includes('details-v1'));
    } finally {
      await tlsAgent.shutdown();
    }
  });

  it('refuses an agent whose certificate is for another cluster', async () => {
    const impostor = await runAgent({
      cluster: 'mgmt-cluster',
      server: `localhost:${server.relayPort}`,
      relayCredentials: clientCredentials({ ...certs.agents['remote-cluster']!, ca: certs.ca }, '--tls'),
      bufferDir: path.join(dir, 'impostor'),
      bufferBytes: 16 * 1024 * 1024,
      alsHost: '127.0.0.1',
      alsPort: 0,
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      logger: silentLogger(),
    });
    try {
      await until('the refusal', async () => (await metric(server.httpPort, 'meshlog_relay_agents_refused_total')) >= 1);
      expect(impostor.exporter.connected()).toBe(false);
    } finally {
      await impostor.shutdown();
    }
  });
});
