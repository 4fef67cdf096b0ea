/**
 * An `openTelemetry` backend as a resource writes it (`openTelemetry: {endpoint | backendRef, body,
 * attributes}`), when it is valid, and the config the sink reads. Exactly one of `endpoint` (Kuma's
 * inline form, deprecated in Kuma 2.14) and `backendRef` (a shared `MeshOpenTelemetryBackend`, by
 * name or labels, which the policy engine resolves into an endpoint and TLS). The endpoint must be
 * one the sink can export to; the body and attribute values must compile as the pipeline will
 * compile them; attribute names follow Kuma's rules (static, lower-case, not `otel.`), with its
 * messages.
 */
import { type Static, Type } from '@sinclair/typebox';
import { field, index, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import { hostProblem, type SinkPolicy } from '../shared/destination-policy.js';
import type { OtlpTls } from './destination.js';
import { compileOtelTemplate } from './otel-template.js';
import { endpointHost, parseOtlpEndpoint } from './transport.js';

const strict = { additionalProperties: false } as const;

export const OtelAttributeSchema = Type.Object(
  { key: Type.String({ description: 'Static attribute name.' }), value: Type.String({ description: 'Format string.' }) },
  strict,
);

export const otelBackendKind = 'MeshOpenTelemetryBackend';

export const OtelBackendRefSchema = Type.Object(
  {
    kind: Type.Literal(otelBackendKind),
    name: Type.Optional(Type.String({ description: "The MeshOpenTelemetryBackend's resource name." })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Instead of name: its labels (the first by name when several match).' })),
  },
  { ...strict, description: "A shared MeshOpenTelemetryBackend of the policy's mesh: its endpoint, protocol and TLS." },
);

export const OtlpConfigSchema = Type.Object(
  {
    endpoint: Type.Optional(
      Type.String({ description: 'host:port (default port 4317) of an OTLP/gRPC receiver, or http(s):// URL of an OTLP/HTTP one. Or backendRef.' }),
    ),
    backendRef: Type.Optional(OtelBackendRefSchema),
    body: Type.Optional(Type.Unknown({ description: 'Log record body: an OTLP AnyValue in JSON, or any JSON value; strings may hold format operators.' })),
    attributes: Type.Optional(Type.Array(OtelAttributeSchema, { description: 'Log record attributes; values are format strings.' })),
  },
  strict,
);

export type OtlpConfigSpec = Static<typeof OtlpConfigSchema>;

export interface OtelAttribute {
  readonly key: string;
  /** A format string (command operators allowed). */
  readonly value: string;
}

export type OtelBackendConfig = {
  readonly type: 'openTelemetry';
  /** `host:port` of an OTLP/gRPC receiver, or an `http(s)://` URL of an OTLP/HTTP one. */
  readonly endpoint: string;
  /** TLS to the receiver (from a `MeshOpenTelemetryBackend`); an `https://` endpoint without it uses the system's CAs. */
  readonly tls?: OtlpTls;
  /** An OTLP `AnyValue` in JSON (or a plain string / JSON value), with command operators. */
  readonly body?: unknown;
  readonly attributes?: readonly OtelAttribute[];
};

export function validateOtlpConfig(raw: Readonly<Record<string, unknown>>, path: string, policy?: SinkPolicy): Violation[] {
  const out: Violation[] = [];
  const endpoint = raw['endpoint'];
  const hasEndpoint = typeof endpoint === 'string' && endpoint !== '';
  const ref = raw['backendRef'];
  if (!hasEndpoint && ref === undefined) out.push({ field: path, message: 'openTelemetry must have exactly one defined: endpoint, backendRef' });
  if (hasEndpoint && ref !== undefined) out.push({ field: path, message: 'openTelemetry must have only one type defined: endpoint, backendRef' });
  const parsed = hasEndpoint ? parseOtlpEndpoint(endpoint) : undefined;
  if (hasEndpoint && parsed === undefined) {
    out.push({ field: field(path, 'endpoint'), message: `must be host[:port] (OTLP/gRPC) or an http(s):// URL (OTLP/HTTP), not ${JSON.stringify(endpoint)}` });
  }
  if (isObject(ref)) {
    const named = typeof ref['name'] === 'string' && ref['name'] !== '';
    const labelled = isObject(ref['labels']) && Object.keys(ref['labels']).length > 0;
    if (named === labelled) out.push({ field: field(path, 'backendRef'), message: 'backendRef must have exactly one defined: name, labels' });
  }
  const refused = parsed ? hostProblem(endpointHost(parsed), policy) : undefined;
  if (refused) out.push({ field: field(path, 'endpoint'), message: refused });
  const attributes = Array.isArray(raw['attributes']) ? (raw['attributes'] as unknown[]) : [];
  const problems = templateProblems(raw['body'], attributes, path);
  out.push(...problems(field(path, 'body')));
  const seen = new Set<string>();
  attributes.forEach((a, i) => {
    if (!isObject(a)) return;
    const at = index(field(path, 'attributes'), i);
    const key = a['key'];
    if (typeof key === 'string') {
      const problem = otelKeyProblem(key);
      if (problem) out.push({ field: field(at, 'key'), message: problem });
      else if (seen.has(key)) out.push({ field: field(at, 'key'), message: `duplicate key "${key}"` });
      seen.add(key);
    }
    out.push(...problems(field(at, 'value')));
  });
  return out;
}

/**
 * The operator problems of the body and the attribute values, found by compiling them as the
 * pipeline does, by the field they are under. Keys are left out: they are static names, checked
 * by Kuma's rules, where the compiler would take a key with operators.
 */
function templateProblems(body: unknown, attributes: readonly unknown[], path: string): (under: string) => Violation[] {
  const values = attributes.map((a) => ({ key: 'key', value: isObject(a) && typeof a['value'] === 'string' ? a['value'] : '' }));
  const compiled = compileOtelTemplate(body, values, { path });
  const violations = compiled.ok ? [] : compiled.violations;
  return (under) => violations.filter((v) => v.field === under || v.field.startsWith(`${under}.`) || v.field.startsWith(`${under}[`));
}

/** Kuma's rules for an attribute name, in its order: the first that fails is the message. */
export function otelKeyProblem(key: string): string | undefined {
  if (key === '') return 'must be defined';
  if (key.includes('%')) return 'must be a static OpenTelemetry attribute name; placeholders are only supported in values';
  if (key.startsWith('otel.')) return "must not use the reserved OpenTelemetry prefix 'otel.'";
  if (!/^[a-z](?:[a-z0-9]|[._][a-z0-9])*$/.test(key)) {
    return "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit";
  }
  return undefined;
}

/** The config of an inline backend; one with a `backendRef` is a reference, resolved by the policy engine. */
export function normalizeOtlpConfig(spec: OtlpConfigSpec): OtelBackendConfig {
  if (spec.endpoint === undefined) throw new Error('an openTelemetry backend with a backendRef is resolved by the policy engine, not normalised');
  return {
    type: 'openTelemetry',
    endpoint: spec.endpoint,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.attributes ? { attributes: spec.attributes.map(({ key, value }) => ({ key, value })) } : {}),
  };
}
