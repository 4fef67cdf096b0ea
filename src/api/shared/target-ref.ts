/**
 * `targetRef` as the MADR and Kuma 2.x write it: a kind, the service or route `name`, the `tags`
 * of a subset. Which kinds a place accepts (top level, `from`, `to`) is the caller's rule; what a
 * kind needs (a name, tags) is checked here, with Kuma's messages.
 */
import { type Static, Type } from '@sinclair/typebox';
import { type Violation, field } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import type { TargetRef, TargetRefKind } from './model.js';

export const targetRefKinds = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset', 'MeshGatewayRoute', 'MeshHTTPRoute'] as const satisfies readonly TargetRefKind[];

export const TargetRefSchema = Type.Object(
  {
    kind: Type.Union(targetRefKinds.map((k) => Type.Literal(k)), { description: 'What the reference selects.' }),
    name: Type.Optional(Type.String({ description: 'Service name (MeshService, MeshServiceSubset) or route resource name (MeshHTTPRoute, MeshGatewayRoute).' })),
    tags: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Tags that must all be on the proxy (MeshSubset, MeshServiceSubset; optional on MeshService).' })),
  },
  { additionalProperties: false },
);

export type TargetRefSpec = Static<typeof TargetRefSchema>;

const needsName: ReadonlySet<string> = new Set(['MeshService', 'MeshServiceSubset', 'MeshHTTPRoute', 'MeshGatewayRoute']);
const needsTags: ReadonlySet<string> = new Set(['MeshSubset', 'MeshServiceSubset']);
const noTags: ReadonlySet<string> = new Set(['Mesh', 'MeshHTTPRoute', 'MeshGatewayRoute']);

/**
 * The rules of one `targetRef` at `path`. `allowed` are the kinds this place accepts; `why`
 * explains a refusal where the MADR gives a reason.
 */
export function validateTargetRef(ref: unknown, path: string, allowed: readonly TargetRefKind[], why?: (kind: string) => string | undefined): Violation[] {
  if (!isObject(ref) || typeof ref['kind'] !== 'string') return [];
  const out: Violation[] = [];
  const kind = ref['kind'];
  const known = (targetRefKinds as readonly string[]).includes(kind);
  if (known && !(allowed as readonly string[]).includes(kind)) {
    const reason = why?.(kind);
    out.push({ field: field(path, 'kind'), message: `value '${kind}' is not supported${reason ? `: ${reason}` : ''} (supported here: ${allowed.join(', ')})` });
  }
  if (!known) return out;
  const { name, tags } = ref;
  const hasTags = isObject(tags) && Object.keys(tags).length > 0;
  if (needsName.has(kind) && (typeof name !== 'string' || name === '')) out.push({ field: field(path, 'name'), message: `must be set when kind is ${kind}` });
  // The seed writes `kind: Mesh, name: default`: a Mesh's name is tolerated, it adds nothing.
  if (kind === 'MeshSubset' && name !== undefined) out.push({ field: field(path, 'name'), message: `must not be set with kind ${kind}` });
  if (needsTags.has(kind) && !hasTags) out.push({ field: field(path, 'tags'), message: `must be set when kind is ${kind}` });
  if (noTags.has(kind) && tags !== undefined) out.push({ field: field(path, 'tags'), message: `must not be set with kind ${kind}` });
  if (isObject(tags)) {
    for (const key of Object.keys(tags)) if (key.trim() === '') out.push({ field: field(field(path, 'tags'), key), message: 'tag name must not be empty' });
  }
  return out;
}

export function normalizeTargetRef(ref: TargetRefSpec | undefined): TargetRef {
  if (!ref) return { kind: 'Mesh' };
  const out: { kind: TargetRefKind; name?: string; tags?: Record<string, string> } = { kind: ref.kind };
  // A Mesh's name (the seed's `name: default`) says nothing the policy's mesh does not.
  if (ref.kind !== 'Mesh' && ref.name !== undefined) out.name = ref.name;
  if (ref.tags && Object.keys(ref.tags).length > 0) out.tags = { ...ref.tags };
  return out;
}
