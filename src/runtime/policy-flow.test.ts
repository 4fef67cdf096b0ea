/**
 * MeshAccessLog on live traffic, end to end: policies applied through the API, Envoy ALS over
 * real gRPC in, formatted entries out to a file, a TCP peer, an OTLP/HTTP receiver and the store.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { exportRequestType } from '../sinks/otlp/index.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

/** An Istio sidecar identity with its own pod IP (the shared helper gives every pod one IP). */
function sidecar(workload: string, ip: string) {
  const id = istioIdentifier(workload, 'mgmt-cluster');
  return { ...id, node: { ...id.node, id: id.node.id.replace('10.28.0.20', ip) } };
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('MeshAccessLog on live traffic', () => {
  let dir: string;
  let server: RunningServer;
  let base: string;
  let tcpPeer: Server;
  let otlpPeer: HttpServer;
  const tcpLines: string[] = [];
  const otlpBodies: unknown[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-policy-'));
    tcpPeer = createServer((socket) => {
      let pending = '';
      socket.on('data', (chunk) => {
        pending += chunk.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          tcpLines.push(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      });
    });
    await new Promise<void>((resolve) => tcpPeer.listen(0, '127.0.0.1', resolve));
    otlpPeer = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        otlpBodies.push(exportRequestType().toObject(exportRequestType().decode(Buffer.concat(chunks)), { longs: String }));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => otlpPeer.listen(0, '127.0.0.1', resolve));
    const tcpPort = (tcpPeer.address() as { port: number }).port;
    const otlpPort = (otlpPeer.address() as { port: number }).port;

    server = await runServer({ dataDir: path.join(dir, 'data'), alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    base = `http://127.0.0.1:${server.httpPort}`;
    const policies = `type: MeshAccessLogBackend
name: file-backend
mesh: default
spec:
  name: file
  file:
    path: ${path.join(dir, 'data', 'logs', 'access.log')}
---
type: MeshAccessLog
mesh: default
name: default-logging
spec:
  targetRef: {kind: Mesh}
  to:
    - targetRef: {kind: Mesh}
      default:
        backends:
          - reference: {kind: MeshAccessLogBackend, name: file}
  from:
    - targetRef: {kind: Mesh}
      default:
        filtering:
          headers:
            ":status": {op: ge, value: "500"}
        backends:
          - tcp:
              address: 127.0.0.1:${tcpPort}
              format:
                json:
                  - {key: path, value: "%REQ(:PATH)%"}
                  - {key: status, value: "%RESPONSE_CODE%"}
                  - {key: source, value: "%KUMA_SOURCE_SERVICE%"}
                  - {key: direction, value: "%KUMA_TRAFFIC_DIRECTION%"}
          - openTelemetry:
              endpoint: http://127.0.0.1:${otlpPort}
              body: "%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%"
              attributes: [{key: source, value: "%KUMA_SOURCE_SERVICE%"}]
          - store: {}
`;
    const applied = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: policies });
    expect(applied.status, await applied.clone().text()).toBe(200);

    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    // ratings calls reviews: the outbound entry at ratings' sidecar, the inbound ones at reviews'.
    const ratings = als.open();
    await ratings.write({ identifier: sidecar('ratings-v1', '10.1.0.1'), httpLogs: { logEntry: [httpEntry('/out/1')] } });
    const reviews = als.open();
    const inbound = (p: string, code: number) => {
      const e = httpEntry(p, { code });
      return {
        ...e,
        commonProperties: {
          ...e.commonProperties,
          upstreamCluster: 'inbound|9080||',
          downstreamRemoteAddress: { socketAddress: { address: '10.1.0.1', portValue: 40000 } },
        },
      };
    };
    await reviews.write({ identifier: sidecar('reviews-v1', '10.1.0.2'), httpLogs: { logEntry: [inbound('/in/503', 503), inbound('/in/200', 200)] } });
    await ratings.end();
    await reviews.end();
    als.close();
  });

  afterAll(async () => {
    await server?.shutdown();
    tcpPeer?.close();
    otlpPeer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes outbound traffic to the file backend, referenced by spec.name, in Kuma’s default HTTP format', async () => {
    const line = await until(() => {
      try {
        return readFileSync(path.join(dir, 'data', 'logs', 'access.log'), 'utf8')
          .split('\n')
          .find((l) => l.includes('/out/1'));
      } catch {
        return undefined;
      }
    }, 'the file line');
    expect(line).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] default "GET \/out\/1 HTTP\/1\.1" 200 - /);
    expect(line).toContain('"ratings" "reviews"');
  });

  it('sends the inbound failure to the TCP peer as JSON, naming the caller by its IP, and filters out the success', async () => {
    const line = await until(() => tcpLines.find((l) => l.includes('/in/503')), 'the tcp line');
    expect(JSON.parse(line)).toEqual({ path: '/in/503', status: 503, source: 'ratings', direction: 'INBOUND' });
    expect(tcpLines.some((l) => l.includes('/in/200'))).toBe(false);
  });

  it('exports the inbound failure over OTLP/HTTP with the body and attributes formatted', async () => {
    const request = (await until(() => otlpBodies[0], 'the OTLP export')) as {
      resourceLogs: Array<{ resource: { attributes: unknown[] }; scopeLogs: Array<{ logRecords: unknown[] }> }>;
    };
    const record = request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0];
    expect(record).toMatchObject({ body: { stringValue: 'GET /in/503 503' }, attributes: [{ key: 'source', value: { stringValue: 'ratings' } }] });
    expect(request.resourceLogs[0]!.resource.attributes).toContainEqual({ key: 'kuma.mesh', value: { stringValue: 'default' } });
  });

  it('collects into the store what the store backend asks for, though no AccessLogRecord exists', async () => {
    await server.store.flush();
    const body = (await (await fetch(`${base}/api/v1/logs`)).json()) as { items: Array<{ httpAccessLog: { request: { path: string } } }> };
    expect(body.items.map((i) => i.httpAccessLog.request.path)).toEqual(['/in/503']);
  });

  it('shows what applies to a proxy, refuses to delete a backend in use, and counts per sink', async () => {
    const text = await (await fetch(`${base}/api/v1/proxies/reviews-v1/policies?format=text`)).text();
    expect(text).toContain('default-logging (Mesh, from[0] Mesh)');
    expect(text).toContain('filtering: :status ge 500');
    // ratings declares no outbounds (Istio): inspect shows what traffic to any service gets.
    const ratings = await (await fetch(`${base}/api/v1/proxies/ratings-v1/policies?format=text`)).text();
    expect(ratings).toContain(
      'outbound outbound:*  (http, service *)\n  rule 1: all traffic\n    policies (merge order, last wins): default-logging (Mesh, to[0] Mesh)\n    backend: file',
    );
    const refused = await fetch(`${base}/api/v1/resources/MeshAccessLogBackend/file-backend?mesh=default`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toContain(
      'MeshAccessLog default/default-logging references it at spec.to[0].default.backends[0]',
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/meshlog_sink_records_total\{sink="tcp:127\.0\.0\.1:\d+",outcome="sent"\} 1/);
  });

  it('refuses a policy whose backend reference resolves to nothing on this server, and takes it with its backend', async () => {
    const policy =
      'type: MeshAccessLog\nmesh: default\nname: dangling\nspec:\n  targetRef: {kind: Mesh}\n  to:\n    - targetRef: {kind: Mesh}\n      default:\n        backends:\n          - reference: {name: nowhere}\n';
    const refused = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: policy });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { violations: Array<{ field: string; message: string; line: number; col: number }> };
    expect(body.violations).toEqual([
      {
        field: 'spec.to[0].default.backends[0].reference.name',
        message: expect.stringMatching(/^MeshAccessLogBackend "nowhere" is not defined in mesh "default" \(by resource name or spec\.name\)/),
        line: 10,
        col: 31,
      },
    ]);
    const backend = `type: MeshAccessLogBackend\nmesh: default\nname: nowhere\nspec:\n  name: nowhere\n  tcp: {address: "127.0.0.1:9"}\n---\n${policy}`;
    expect((await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: backend })).status).toBe(200);
  });
});
