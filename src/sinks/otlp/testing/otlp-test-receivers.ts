/**
 * OTLP logs receivers for the otlp sink's tests, built from the same shipped protos: a gRPC
 * `LogsService` and an OTLP/HTTP endpoint on node:http, both on loopback ephemeral ports, in plain
 * text or over TLS with certificates made for the test run (optionally asking for a client
 * certificate). Each decodes what it gets and answers with a scripted status, so tests can assert
 * retries and drops.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { makeDemoCertificates } from '../../../util/certificates.js';
import { exportMethodPath, exportRequestType } from '../export-request.js';

export interface ReceivedExport {
  readonly request: { resourceLogs?: Array<{ resource?: { attributes?: unknown[] }; scopeLogs?: Array<{ logRecords?: unknown[] }> }> };
  readonly path?: string;
  readonly contentType?: string;
}

export interface Receiver {
  readonly address: string;
  readonly received: ReceivedExport[];
  /** Answers to give, in order, before answering OK: gRPC status codes or HTTP statuses. */
  readonly answers: number[];
  stop(): Promise<void>;
}

function decode(bytes: Uint8Array): ReceivedExport['request'] {
  const type = exportRequestType();
  return type.toObject(type.decode(bytes), { longs: String, defaults: false }) as ReceivedExport['request'];
}

const identity = (b: Buffer) => b;

export interface TestCerts {
  /** The directory holding them all (the caller removes it). */
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A throw-away CA, a server certificate for localhost, otel.test and 127.0.0.1, and a client certificate, in a new temporary directory. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-otlp-certs-'));
  const made = await makeDemoCertificates(dir, ['client'], ['localhost', 'otel.test']);
  const client = made.agents['client']!;
  return { dir, ca: made.ca, serverCert: made.server.cert, serverKey: made.server.key, clientCert: client.cert, clientKey: client.key };
}

export interface ReceiverTls {
  /** The receiver's certificate and the CA it checks client certificates against. */
  readonly certs: TestCerts;
  /** Ask for a client certificate signed by the test CA. */
  readonly requireClientCert?: boolean;
}

export async function startGrpcReceiver(port = 0, tls?: ReceiverTls): Promise<Receiver> {
  const received: ReceivedExport[] = [];
  const answers: number[] = [];
  const server = new grpc.Server();
  const service: grpc.ServiceDefinition = {
    Export: {
      path: exportMethodPath,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  server.addService(service, {
    Export(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      received.push({ request: decode(call.request) });
      const code = answers.shift();
      if (code === undefined || code === grpc.status.OK) callback(null, Buffer.alloc(0));
      else callback({ code, details: `scripted ${grpc.status[code]}` });
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpcCredentials(tls), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${bound}`,
    received,
    answers,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}

function grpcCredentials(tls: ReceiverTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const pair = { cert_chain: readFileSync(tls.certs.serverCert), private_key: readFileSync(tls.certs.serverKey) };
  return grpc.ServerCredentials.createSsl(tls.requireClientCert ? readFileSync(tls.certs.ca) : null, [pair], tls.requireClientCert === true);
}

export async function startHttpReceiver(port = 0, tls?: ReceiverTls): Promise<Receiver> {
  const received: ReceivedExport[] = [];
  const answers: number[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ request: decode(Buffer.concat(chunks)), path: req.url ?? '', contentType: req.headers['content-type'] ?? '' });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  };
  const server = tls
    ? https.createServer(
        {
          cert: readFileSync(tls.certs.serverCert),
          key: readFileSync(tls.certs.serverKey),
          ca: readFileSync(tls.certs.ca),
          requestCert: tls.requireClientCert === true,
          rejectUnauthorized: tls.requireClientCert === true,
        },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    address: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answers,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
