/**
 * OTLP logs receivers for the otlp sink's tests, built from the same shipped protos: a gRPC
 * `LogsService` and an OTLP/HTTP endpoint on node:http, both on loopback ephemeral ports, in plain
 * text or over TLS with the test CA's certificates in `certs/` (optionally asking for a client
 * certificate). Each decodes what it gets and answers with a scripted status, so tests can assert
 * retries and drops.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
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

/** The test CA's files (a CA valid until 2126; the server's names: localhost, otel.test, 127.0.0.1). */
export const testCerts = {
  ca: new URL('./certs/ca.pem', import.meta.url).pathname,
  serverCert: new URL('./certs/server.pem', import.meta.url).pathname,
  serverKey: new URL('./certs/server-key.pem', import.meta.url).pathname,
  clientCert: new URL('./certs/client.pem', import.meta.url).pathname,
  clientKey: new URL('./certs/client-key.pem', import.meta.url).pathname,
};

export interface ReceiverTls {
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
  const pair = { cert_chain: readFileSync(testCerts.serverCert), private_key: readFileSync(testCerts.serverKey) };
  return grpc.ServerCredentials.createSsl(tls.requireClientCert ? readFileSync(testCerts.ca) : null, [pair], tls.requireClientCert === true);
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
        { cert: readFileSync(testCerts.serverCert), key: readFileSync(testCerts.serverKey), ca: readFileSync(testCerts.ca), requestCert: tls.requireClientCert === true, rejectUnauthorized: tls.requireClientCert === true },
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
