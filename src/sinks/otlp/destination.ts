/**
 * Where an OpenTelemetry backend exports, as a shared `MeshOpenTelemetryBackend` writes it:
 * `endpoint {address, port, path}`, `protocol` (grpc or http) and `tls` (meshlog's addition: Kuma's
 * MADR 095 names TLS as the reason for the resource, and its first version has none), checked with
 * Kuma's rules and messages, and resolved to what the sink dials: an endpoint string (`host:port`
 * for OTLP/gRPC, an `http(s)://` URL for OTLP/HTTP) and the TLS settings.
 *
 * Defaults are Kuma's: port 4317, no path, gRPC. Without an address Kuma's data plane sends to the
 * node-local collector (the node's IP, else 127.0.0.1); meshlog's agent runs on the node, so it is
 * 127.0.0.1.
 */
import { isIP } from 'node:net';
import { type Static, Type } from '@sinclair/typebox';
import { field, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import { isFilePath } from '../shared/addresses.js';

const strict = { additionalProperties: false } as const;

export const OtlpTlsSchema = Type.Object(
  {
    caFile: Type.Optional(Type.String({ description: "PEM file of the CAs the receiver's certificate must chain to; default: the system's." })),
    certFile: Type.Optional(Type.String({ description: "PEM client certificate (mutual TLS), with 'keyFile'." })),
    keyFile: Type.Optional(Type.String({ description: "PEM private key of 'certFile'." })),
    serverName: Type.Optional(Type.String({ description: "SNI, and the name the receiver's certificate must carry; default: the address." })),
    insecureSkipVerify: Type.Optional(Type.Boolean({ description: "Do not verify the receiver's certificate (for tests only)." })),
  },
  { ...strict, description: 'TLS to the collector (meshlog; not in Kuma). Absent: plain text.' },
);

export type OtlpTls = Static<typeof OtlpTlsSchema>;

export const otlpProtocols = ['grpc', 'http'] as const;

export const OtlpDestinationSchema = Type.Object(
  {
    endpoint: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(Type.String({ description: 'IP or host name of the collector; default: the node-local collector (127.0.0.1).' })),
          port: Type.Optional(Type.Integer({ description: 'Default 4317.' })),
          path: Type.Optional(Type.String({ description: 'http only: a base path; /v1/logs is appended.' })),
        },
        strict,
      ),
    ),
    protocol: Type.Optional(
      Type.Union(
        otlpProtocols.map((p) => Type.Literal(p)),
        { description: 'OTLP/gRPC (default) or OTLP/HTTP with protobuf.' },
      ),
    ),
    env: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(Type.Union([Type.Literal('Disabled'), Type.Literal('Optional'), Type.Literal('Required')])),
          precedence: Type.Optional(Type.Union([Type.Literal('ExplicitFirst'), Type.Literal('EnvFirst')])),
          allowSignalOverrides: Type.Optional(Type.Boolean()),
        },
        { ...strict, description: "Kuma's data plane reads OTEL_EXPORTER_OTLP_* by these rules; meshlog does not read them." },
      ),
    ),
    tls: Type.Optional(OtlpTlsSchema),
  },
  strict,
);

export type OtlpDestinationSpec = Static<typeof OtlpDestinationSchema>;

const dnsName = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Kuma's rules for the endpoint and protocol, then meshlog's for TLS. */
export function validateOtlpDestination(raw: Readonly<Record<string, unknown>>, path: string): Violation[] {
  const out: Violation[] = [];
  const protocol = raw['protocol'];
  const endpoint = raw['endpoint'];
  if (isObject(endpoint)) {
    const at = field(path, 'endpoint');
    const { address, port, path: base } = endpoint;
    if (address === '') out.push({ field: field(at, 'address'), message: 'must not be empty' });
    else if (typeof address === 'string' && !isIP(address) && !dnsName.test(address))
      out.push({ field: field(at, 'address'), message: 'address has to be a valid IP or hostname' });
    if (typeof port === 'number' && (port < 1 || port > 65535)) out.push({ field: field(at, 'port'), message: 'port must be a valid (1-65535)' });
    if (typeof base === 'string' && base !== '') {
      if (protocol !== 'http') out.push({ field: field(at, 'path'), message: 'must not be set when protocol is grpc' });
      else {
        if (!base.startsWith('/')) out.push({ field: field(at, 'path'), message: 'must start with /' });
        if (/[?#]/.test(base)) out.push({ field: field(at, 'path'), message: 'must not contain query or fragment' });
      }
    }
  }
  if (isObject(raw['tls'])) out.push(...validateTls(raw['tls'], field(path, 'tls')));
  return out;
}

function validateTls(tls: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  for (const f of ['caFile', 'certFile', 'keyFile']) {
    const file = tls[f];
    if (typeof file === 'string' && !isFilePath(file)) out.push({ field: field(path, f), message: `must be an absolute path, not ${JSON.stringify(file)}` });
  }
  if ((tls['certFile'] === undefined) !== (tls['keyFile'] === undefined)) {
    const missing = tls['certFile'] === undefined ? 'certFile' : 'keyFile';
    out.push({ field: field(path, missing), message: "must be set: a client certificate needs both 'certFile' and 'keyFile'" });
  }
  if (tls['serverName'] === '') out.push({ field: field(path, 'serverName'), message: 'must not be empty' });
  return out;
}

export interface ResolvedOtlpDestination {
  /** `host:port` (OTLP/gRPC) or an `http(s)://` URL ending in `/v1/logs` (OTLP/HTTP). */
  readonly endpoint: string;
  readonly tls?: OtlpTls;
}

/** The endpoint the sink exports to, with Kuma's defaults filled in. */
export function resolveOtlpDestination(spec: OtlpDestinationSpec): ResolvedOtlpDestination {
  const address = spec.endpoint?.address ?? '127.0.0.1';
  const host = isIP(address) === 6 ? `[${address}]` : address;
  const port = spec.endpoint?.port ?? 4317;
  const tls = spec.tls ? { tls: { ...spec.tls } } : {};
  if (spec.protocol !== 'http') return { endpoint: `${host}:${port}`, ...tls };
  const base = (spec.endpoint?.path ?? '').replace(/\/+$/, '');
  return { endpoint: `${spec.tls ? 'https' : 'http'}://${host}:${port}${base}/v1/logs`, ...tls };
}
