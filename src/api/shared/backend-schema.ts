/**
 * Every shape a backend is written in, as one schema: the MADR's (one of the sink types' own
 * fields, `store` or `reference`), the seed's alternatives (`{name, type: tcp|file, conf}` and
 * `{name, type: reference}`) and Kuma 2.x's (`{type: File|Tcp|OpenTelemetry, file|tcp|openTelemetry}`).
 * One object rather than a union so that an unknown or misspelt field is reported where it is;
 * which combinations are valid is `validateBackend`'s rule. The sink types, their fields and
 * descriptions are the sink factories' (`sinks/registry.ts`): a new sink shows up here by itself.
 */
import { CloneType, type Static, type TOptional, type TSchema, Type } from '@sinclair/typebox';
import { FormatSchema } from '../../format/index.js';
import { type SinkType, type sinkFactories, sinkFactoryList, sinkTypes } from '../../sinks/index.js';

const strict = { additionalProperties: false } as const;

/** Each sink's config under its own key (`tcp: {address}`), as the MADR and Kuma 2.x write a backend. */
export const sinkBackendProperties = Object.fromEntries(sinkFactoryList.map((f) => [f.type, Type.Optional(f.schema)])) as {
  readonly [T in SinkType]: TOptional<(typeof sinkFactories)[T]['schema']>;
};

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

/**
 * The seed's `conf`: the fields of whichever sink `type` names, all optional here (which are
 * required and which belong to the type is `validateBackend`'s rule). Two sinks that share a field
 * name share its schema: the first sink's.
 */
function confFields(): Record<string, TOptional<TSchema>> {
  const users = new Map<string, { schema: TSchema; types: string[] }>();
  for (const f of sinkFactoryList) {
    for (const [name, schema] of Object.entries(f.schema.properties)) {
      const entry = users.get(name);
      if (entry) entry.types.push(f.type);
      else users.set(name, { schema, types: [f.type] });
    }
  }
  const fields: Record<string, TOptional<TSchema>> = {};
  for (const [name, { schema, types }] of users) {
    // A copy: the sink's own schema keeps its description.
    const field = CloneType(schema);
    field.description = `type ${types.join(', ')}${schema.description ? `: ${schema.description}` : ''}`;
    fields[name] = Type.Optional(field);
  }
  return fields;
}

export const BackendConfSchema = Type.Object(confFields(), strict);

/** Types of a backend that defines one (what a backend resource or a Mesh holds): meshlog's names, `store`, Kuma 2.x's names. */
export const definingBackendTypes: readonly string[] = [...sinkTypes, 'store', ...sinkFactoryList.map((f) => f.kumaType)];
export const backendTypes: readonly string[] = [...definingBackendTypes, 'reference'];

/** `'file', 'tcp', ..., 'store'` and `'reference'` where it is allowed: the fields that name a backend. */
export function backendForms(withReference: boolean): string[] {
  return [...sinkTypes, 'store', ...(withReference ? ['reference'] : [])];
}

export const BackendSchema = Type.Object(
  {
    name: Type.Optional(
      Type.String({ description: "A label (seed's inline form), the backend's name (Mesh logging), or with type reference the backend referred to." }),
    ),
    type: Type.Optional(
      Type.Union(
        backendTypes.map((t) => Type.Literal(t)),
        { description: 'Seed and Kuma 2.x: which backend this is; reference is the default when only name is set.' },
      ),
    ),
    conf: Type.Optional(BackendConfSchema),
    format: Type.Optional(FormatSchema),
    ...sinkBackendProperties,
    store: Type.Optional(StoreBackendSchema),
    reference: Type.Optional(ReferenceSchema),
  },
  {
    ...strict,
    description: `One of ${backendForms(true)
      .map((f) => `'${f}'`)
      .join(', ')}; or 'type' with 'conf' (or with the field it names).`,
  },
);

export type BackendSpec = Static<typeof BackendSchema>;
export type BackendConfSpec = Static<typeof BackendConfSchema>;
