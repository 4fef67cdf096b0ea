/**
 * `meshlog schema [KIND] [-o crd|openapi]`: the schemas that validate resources, emitted as
 * Kubernetes CRDs or an OpenAPI 3 document, so that what a cluster or an editor checks is what
 * `meshlog validate` checks. Nothing here is written by hand: it is converted from each kind's
 * TypeBox schema.
 *
 * The CRDs carry Kuma's and Gloo Mesh's own group and kind names, so that editors and validators
 * recognise the resources users already write. Applied to a cluster where Kuma or Gloo Mesh is
 * installed, they would replace those products' CRDs: the output says so, on stderr and in a
 * comment at its top.
 */
import type { TSchema } from '@sinclair/typebox';
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { findKind, kinds } from '../api/kinds.js';
import type { KindDefinition } from '../api/types.js';
import { buildInfo } from '../telemetry/build-info.js';

type Json = Record<string, unknown>;

/** Schemas share objects (TypeBox reuses `required` lists): written out in full, never as YAML aliases. */
const yamlOptions = { lineWidth: 0, aliasDuplicateObjects: false } as const;
type Target = 'crd' | 'openapi';

const copied = ['type', 'description', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'default'] as const;

/**
 * A TypeBox schema in OpenAPI 3.0 terms: literal unions become enums, maps (`patternProperties`)
 * `additionalProperties`. A CRD must be a structural schema: no `additionalProperties: false`
 * (the API server prunes unknown fields instead) and free-form values marked as preserved.
 */
export function toOpenApiSchema(schema: TSchema, target: Target): Json {
  const s = schema as Json;
  const out: Json = {};
  for (const key of copied) if (s[key] !== undefined) out[key] = s[key];
  const anyOf = s['anyOf'] as TSchema[] | undefined;
  if (anyOf?.every((o) => 'const' in o)) {
    out['type'] = typeof anyOf[0]?.['const'] === 'number' ? 'number' : 'string';
    out['enum'] = anyOf.map((o) => o['const']);
    return out;
  }
  if ('const' in s) return { ...out, enum: [s['const']] };
  if (anyOf) return { ...out, anyOf: anyOf.map((o) => toOpenApiSchema(o, target)) };
  if (s['type'] === undefined) return target === 'crd' ? { ...out, 'x-kubernetes-preserve-unknown-fields': true } : out;
  if (s['type'] === 'array') out['items'] = toOpenApiSchema(s['items'] as TSchema, target);
  if (s['type'] === 'object') {
    const properties = s['properties'] as Record<string, TSchema> | undefined;
    if (properties) out['properties'] = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toOpenApiSchema(v, target)]));
    const required = s['required'] as string[] | undefined;
    if (required?.length) out['required'] = required;
    const pattern = s['patternProperties'] as Record<string, TSchema> | undefined;
    const values = pattern ? Object.values(pattern)[0] : undefined;
    if (values) {
      const converted = toOpenApiSchema(values, target);
      if (target === 'crd' && converted['x-kubernetes-preserve-unknown-fields']) out['x-kubernetes-preserve-unknown-fields'] = true;
      else out['additionalProperties'] = converted;
    } else if (target === 'openapi' && s['additionalProperties'] === false) {
      out['additionalProperties'] = false;
    }
  }
  return out;
}

function groupOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function crdFor(kind: KindDefinition): Json {
  const { group } = groupOf(kind.apiVersions[0]!);
  const spec = toOpenApiSchema(kind.schema, 'crd');
  const openAPIV3Schema = {
    type: 'object',
    description: `meshlog ${kind.kind} (${kind.scope === 'mesh' ? 'mesh-scoped: the mesh is the kuma.io/mesh label' : kind.scope}).`,
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec },
    ...(Array.isArray(spec['required']) ? { required: ['spec'] } : {}),
  };
  const versions = kind.apiVersions
    .filter((v) => groupOf(v).group === group)
    .map((v, i) => ({ name: groupOf(v).version, served: true, storage: i === 0, schema: { openAPIV3Schema } }));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${group}` },
    spec: {
      group,
      names: { kind: kind.kind, listKind: `${kind.kind}List`, plural: kind.plural, singular: kind.kind.toLowerCase() },
      scope: kind.scope === 'global' ? 'Cluster' : 'Namespaced',
      versions,
    },
  };
}

export function openApiDocument(selected: readonly KindDefinition[]): Json {
  const schemas: Json = {};
  for (const kind of selected) {
    schemas[`${kind.kind}Spec`] = toOpenApiSchema(kind.schema, 'openapi');
    schemas[kind.kind] = {
      type: 'object',
      description: `${kind.kind} in the Kubernetes encoding; Kuma universal writes type, name${kind.scope === 'mesh' ? ', mesh' : ''} and spec.`,
      required: ['apiVersion', 'kind', 'metadata'],
      properties: {
        apiVersion: { type: 'string', enum: [...kind.apiVersions] },
        kind: { type: 'string', enum: [kind.kind] },
        metadata: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, namespace: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        spec: { $ref: `#/components/schemas/${kind.kind}Spec` },
      },
    };
  }
  return { openapi: '3.0.3', info: { title: 'meshlog resources', version: buildInfo().version }, paths: {}, components: { schemas } };
}

export function schemaCommand(): Command {
  return new Command('schema')
    .description('Print the schema of one kind (or all) as Kubernetes CRDs or an OpenAPI 3 document.')
    .argument('[kind]', `a kind or its plural (${kinds.map((k) => k.kind).join(', ')}); all when left out`)
    .addOption(new Option('-o, --output <format>', 'crd or openapi').choices(['crd', 'openapi']).default('crd'))
    .action((kindName: string | undefined, flags: { output: Target }) => {
      const kind = kindName === undefined ? undefined : findKind(kindName);
      if (kindName !== undefined && !kind) {
        process.stderr.write(`meshlog schema: unknown kind "${kindName}" (known: ${kinds.map((k) => k.kind).join(', ')})\n`);
        process.exitCode = 1;
        return;
      }
      const selected = kind ? [kind] : kinds;
      if (flags.output === 'openapi') process.stdout.write(stringify(openApiDocument(selected), yamlOptions));
      else {
        process.stderr.write(`warning: ${crdWarning(selected)}\n`);
        process.stdout.write(`${crdWarning(selected).replace(/^/gm, '# ')}\n${selected.map((k) => stringify(crdFor(k), yamlOptions)).join('---\n')}`);
      }
    });
}

/** Whose names the CRDs carry, and why they must not go into a cluster where those products run. */
export function crdWarning(selected: readonly KindDefinition[]): string {
  const groups = [...new Set(selected.map((k) => groupOf(k.apiVersions[0]!).group))];
  const owners = [groups.some((g) => g.endsWith('kuma.io')) ? 'Kuma' : '', groups.some((g) => g.includes('solo.io')) ? 'Gloo Mesh' : '']
    .filter(Boolean)
    .join(' and ');
  return [
    `These CRDs use the API groups of ${owners || 'other products'} (${groups.join(', ')}).`,
    "They are for editors and validation (kubeconform, an IDE's YAML schema), not for a cluster:",
    `applied where ${owners || 'those products'} ${owners.includes(' and ') ? 'are' : 'is'} installed, they would replace ${owners.includes(' and ') ? 'their' : 'its'} own CRDs.`,
    'meshlog reads these resources from --config-dir and its API, not from Kubernetes.',
  ].join('\n');
}
