/**
 * Every shape a backend is written in, as one schema: the MADR's (`file`, `tcp`, `openTelemetry`,
 * `store`, `reference`, one of them), the seed's alternatives (`{name, type: tcp|file, conf}` and
 * `{name, type: reference}`) and Kuma 2.x's (`{type: File|Tcp|OpenTelemetry, file|tcp|openTelemetry}`).
 * One object rather than a union so that an unknown or misspelt field is reported where it is;
 * which combinations are valid is `validateBackend`'s rule.
 */
import { type Static, Type } from '@sinclair/typebox';
import { FormatSchema } from '../../format/index.js';

const strict = { additionalProperties: false } as const;

const format = Type.Optional(FormatSchema);

export const FileBackendSchema = Type.Object({ path: Type.String({ description: 'Absolute path of the file entries are appended to.' }), format }, strict);

export const TcpBackendSchema = Type.Object({ address: Type.String({ description: 'host:port to send newline-delimited entries to.' }), format }, strict);

export const OtelAttributeSchema = Type.Object(
  { key: Type.String({ description: 'Static attribute name.' }), value: Type.String({ description: 'Format string.' }) },
  strict,
);

export const OpenTelemetryBackendSchema = Type.Object(
  {
    endpoint: Type.String({ description: 'host:port of an OTLP/gRPC receiver, or http(s):// URL of an OTLP/HTTP one.' }),
    body: Type.Optional(Type.Unknown({ description: 'Log record body: an OTLP AnyValue in JSON, or any JSON value; strings may hold format operators.' })),
    attributes: Type.Optional(Type.Array(OtelAttributeSchema, { description: 'Log record attributes; values are format strings.' })),
  },
  strict,
);

export const StoreBackendSchema = Type.Object({}, { ...strict, description: "meshlog's own store (what `meshlog logs` reads)." });

export const ReferenceSchema = Type.Object(
  {
    kind: Type.Optional(
      Type.Union([Type.Literal('MeshAccessLogBackend'), Type.Literal('GlobalAccessLogBackend')], { description: 'Default MeshAccessLogBackend.' }),
    ),
    name: Type.String({ description: "The backend resource's name or its spec.name." }),
  },
  strict,
);

/** The seed's `conf`: the fields of the backend `type` names. */
export const BackendConfSchema = Type.Object(
  {
    path: Type.Optional(Type.String({ description: 'type file: absolute path.' })),
    address: Type.Optional(Type.String({ description: 'type tcp: host:port.' })),
    endpoint: Type.Optional(Type.String({ description: 'type openTelemetry: host:port or http(s):// URL.' })),
    body: Type.Optional(Type.Unknown()),
    attributes: Type.Optional(Type.Array(OtelAttributeSchema)),
    format,
  },
  strict,
);

/** Types of a backend that defines one (what a backend resource or a Mesh holds). */
export const definingBackendTypes = ['file', 'tcp', 'openTelemetry', 'store', 'File', 'Tcp', 'OpenTelemetry'] as const;
export const backendTypes = [...definingBackendTypes, 'reference'] as const;

export const BackendSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: "A label (seed's inline form), the backend's name (Mesh logging), or with type reference the backend referred to." })),
    type: Type.Optional(Type.Union(backendTypes.map((t) => Type.Literal(t)), { description: 'Seed and Kuma 2.x: which backend this is; reference is the default when only name is set.' })),
    conf: Type.Optional(BackendConfSchema),
    format: Type.Optional(FormatSchema),
    file: Type.Optional(FileBackendSchema),
    tcp: Type.Optional(TcpBackendSchema),
    openTelemetry: Type.Optional(OpenTelemetryBackendSchema),
    store: Type.Optional(StoreBackendSchema),
    reference: Type.Optional(ReferenceSchema),
  },
  { ...strict, description: "One of 'file', 'tcp', 'openTelemetry', 'store', 'reference'; or 'type' with 'conf' (or with the field it names)." },
);

export type BackendSpec = Static<typeof BackendSchema>;
export type BackendConfSpec = Static<typeof BackendConfSchema>;
