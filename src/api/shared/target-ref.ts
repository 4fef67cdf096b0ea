/**
 * `targetRef` as the MADR and Kuma 2.x write it: a kind; a resource by `name` (and `namespace`) or
 * by `labels`; the `tags` of a subset; a `sectionName` (one inbound of a dataplane, one port of a
 * service); `proxyTypes`. Which kinds a place accepts (top level, `from`, `to`) is the caller's
 * rule; which fields a kind takes is checked here, with the messages of Kuma's shared targetRef
 * validator. Where the MADR writes something Kuma refuses (`kind: Mesh, name: default`, a
 * top-level `MeshService` with zone `tags`), meshlog follows the MADR; docs/reference/resources.md
 * lists those places.
 */
import { type Static, Type } from '@sinclair/typebox';
import { field, type Violation } from '../../model/violations.js';
import { isObject } from '../../util/is-object.js';
import type { ProxyType, TargetRef, TargetRefKind } from './model.js';

export const targetRefKinds = [
  'Mesh',
  'MeshSubset',
  'Dataplane',
  'MeshGateway',
  'MeshService',
  'MeshExternalService',
  'MeshMultiZoneService',
  'MeshServiceSubset',
  'MeshGatewayRoute',
  'MeshHTTPRoute',
] as const satisfies readonly TargetRefKind[];

export const proxyTypes = ['Sidecar', 'Gateway'] as const satisfies readonly ProxyType[];

const stringMap = (description: string) => Type.Optional(Type.Record(Type.String(), Type.String(), { description }));

export const TargetRefSchema = Type.Object(
  {
    kind: Type.Union(
      targetRefKinds.map((k) => Type.Literal(k)),
      { description: 'What the reference selects.' },
    ),
    name: Type.Optional(Type.String({ description: 'The resource: a service, gateway, route or dataplane name.' })),
    namespace: Type.Optional(Type.String({ description: "With 'name': the resource's namespace." })),
    tags: stringMap('Tags that must all be on the proxy (MeshSubset, MeshServiceSubset).'),
    labels: stringMap("Instead of 'name': the labels of the resources selected."),
    sectionName: Type.Optional(Type.String({ description: 'One inbound of a Dataplane (name or port), one port of a service (name or number).' })),
    proxyTypes: Type.Optional(
      Type.Array(Type.Union(proxyTypes.map((t) => Type.Literal(t))), { description: 'Top-level Mesh or MeshSubset: only these kinds of proxy.' }),
    ),
    mesh: Type.Optional(Type.String({ description: 'Kuma 1.x; refused with every kind.' })),
  },
  { additionalProperties: false },
);

export type TargetRefSpec = Static<typeof TargetRefSchema>;

type Field = 'name' | 'namespace' | 'tags' | 'labels' | 'sectionName' | 'proxyTypes' | 'mesh';

/**
 * What each kind takes: `required`, `nameOrLabels` (one of `name`, `labels`), `optional`;
 * `top` only in the top-level targetRef; `inbound` only in a policy that logs inbound traffic.
 * Fields a kind does not list are refused with it.
 */
type Use = 'required' | 'nameOrLabels' | 'optional' | 'top' | 'inbound' | 'tolerated';

const kindFields: Readonly<Record<TargetRefKind, Partial<Record<Field, Use>>>> = {
  // The seed writes `kind: Mesh, name: default`: the name adds nothing and is tolerated.
  Mesh: { name: 'tolerated', proxyTypes: 'top' },
  MeshSubset: { tags: 'optional', proxyTypes: 'top' },
  Dataplane: { name: 'optional', namespace: 'optional', labels: 'optional', sectionName: 'inbound' },
  MeshGateway: { name: 'required' },
  // The MADR narrows a top-level MeshService by zone tags; Kuma has no tags on MeshService.
  MeshService: { name: 'nameOrLabels', namespace: 'optional', labels: 'optional', sectionName: 'optional', tags: 'top' },
  MeshExternalService: { name: 'nameOrLabels', namespace: 'optional', labels: 'optional' },
  MeshMultiZoneService: { name: 'nameOrLabels', namespace: 'optional', labels: 'optional', sectionName: 'optional' },
  MeshServiceSubset: { name: 'required', tags: 'optional' },
  MeshHTTPRoute: { name: 'nameOrLabels', namespace: 'optional', labels: 'optional' },
  MeshGatewayRoute: { name: 'required' },
};

const fields: readonly Field[] = ['name', 'namespace', 'tags', 'labels', 'sectionName', 'proxyTypes', 'mesh'];
/** Kinds whose `name` is a resource name, held to Kuma's character set. */
const checkedNames: ReadonlySet<TargetRefKind> = new Set([
  'MeshGateway',
  'MeshService',
  'MeshExternalService',
  'MeshMultiZoneService',
  'MeshServiceSubset',
  'MeshHTTPRoute',
]);
const nameCharacters = /^[0-9a-z.\-_]*$/;
const tagName = /^[a-zA-Z0-9.\-_:/]*$/;
const tagValue = /^[a-zA-Z0-9.\-_:]*$/;
const selectorValue = /^([a-zA-Z0-9.\-_:/]*|\*)$/;

export interface TargetRefPlace {
  /** The kinds this place accepts. */
  readonly allowed: readonly TargetRefKind[];
  /** The policy's own `spec.targetRef` (where `proxyTypes` and the MADR's service tags go). */
  readonly top?: boolean;
  /** The policy logs inbound traffic (`from` or `rules`): a Dataplane's `sectionName` means something. */
  readonly inbound?: boolean;
  /** Why a kind is refused here, where the MADR gives a reason. */
  readonly why?: (kind: string) => string | undefined;
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Every violation of one `targetRef` at `path`. */
export function validateTargetRef(ref: unknown, path: string, place: TargetRefPlace): Violation[] {
  if (!isObject(ref) || typeof ref['kind'] !== 'string') return [];
  const kind = ref['kind'];
  if (!(targetRefKinds as readonly string[]).includes(kind)) return [];
  if (!(place.allowed as readonly string[]).includes(kind)) {
    const reason = place.why?.(kind);
    return [
      { field: field(path, 'kind'), message: `value '${kind}' is not supported${reason ? `: ${reason}` : ''} (supported here: ${place.allowed.join(', ')})` },
    ];
  }
  const k = kind as TargetRefKind;
  const uses = kindFields[k];
  const out: Violation[] = [];
  const at = (f: Field) => field(path, f);
  for (const f of fields) {
    const use = uses[f];
    const present = isSet(ref[f]);
    if (!present) {
      if (use === 'required' || (use === 'nameOrLabels' && !isSet(ref['labels']))) out.push({ field: at(f), message: `must be set when kind is ${k}` });
      continue;
    }
    const problem = fieldProblem(f, use, k, place);
    if (problem) out.push({ field: at(f), message: problem });
  }
  if (isSet(ref['labels']) && (isSet(ref['name']) || isSet(ref['namespace'])) && uses.labels !== undefined) {
    out.push({
      field: at('labels'),
      message: k === 'MeshExternalService' ? 'either labels or name must be specified' : 'either labels or name and namespace must be specified',
    });
  }
  const name = ref['name'];
  if (checkedNames.has(k) && typeof name === 'string' && !nameCharacters.test(name)) {
    out.push({ field: at('name'), message: "invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'." });
  }
  if (isObject(ref['tags']) && uses.tags !== undefined)
    out.push(...validateTags(ref['tags'], at('tags'), k === 'MeshServiceSubset' ? selectorValue : tagValue));
  return out;
}

/** Why a field that is set cannot be, or undefined. */
function fieldProblem(f: Field, use: Use | undefined, kind: TargetRefKind, place: TargetRefPlace): string | undefined {
  const refused = `must not be set with kind ${kind}`;
  if (use === undefined) return refused;
  if (use === 'top' && !place.top) return f === 'proxyTypes' ? 'can only be used in the top-level targetRef' : refused;
  if (use === 'inbound' && !place.inbound) return 'can only be used with inbound policies';
  return undefined;
}

/** Kuma's tag rules: names and values non-empty, of a restricted character set (a selector's value may be `*`). */
function validateTags(tags: Record<string, unknown>, path: string, values: RegExp): Violation[] {
  const out: Violation[] = [];
  for (const [key, value] of Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key === '') out.push({ field: path, message: 'tag name must be non-empty' });
    else if (!tagName.test(key))
      out.push({ field: field(path, key), message: 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores' });
    if (typeof value !== 'string') continue;
    if (value === '') out.push({ field: field(path, key), message: 'tag value must be non-empty' });
    else if (!values.test(value)) {
      const allowed =
        values === selectorValue
          ? 'alphanumeric characters, dots, dashes, slashes and underscores or be "*"'
          : 'alphanumeric characters, dots, dashes and underscores';
      out.push({ field: field(path, key), message: `tag value must consist of ${allowed}` });
    }
  }
  return out;
}

const nonEmpty = (m: Readonly<Record<string, string>> | undefined) => (m && Object.keys(m).length > 0 ? { ...m } : undefined);

export function normalizeTargetRef(ref: TargetRefSpec | undefined): TargetRef {
  if (!ref) return { kind: 'Mesh' };
  const tags = nonEmpty(ref.tags);
  const labels = nonEmpty(ref.labels);
  return {
    kind: ref.kind,
    // A Mesh's name (the seed's `name: default`) says nothing the policy's mesh does not.
    ...(ref.kind !== 'Mesh' && ref.name ? { name: ref.name } : {}),
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    ...(tags ? { tags } : {}),
    ...(labels ? { labels } : {}),
    ...(ref.sectionName ? { sectionName: ref.sectionName } : {}),
    ...(ref.proxyTypes && ref.proxyTypes.length > 0 ? { proxyTypes: [...ref.proxyTypes] } : {}),
  };
}
