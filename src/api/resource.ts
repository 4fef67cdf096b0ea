/**
 * A resource in either encoding — Kubernetes (`apiVersion/kind/metadata/spec`) or Kuma universal
 * (`type/name/mesh/spec`) — normalised to one shape, with envelope violations.
 */
import { field, type Violation } from '../model/violations.js';
import { unknownKindMessage } from './kinds.js';
import type { KindDefinition, Resource, ValidationContext } from './types.js';

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseResource(
  doc: unknown,
  registry: readonly KindDefinition[],
  context?: ValidationContext,
): { resource?: Resource; violations: Violation[] } {
  const violations: Violation[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { violations: [{ field: '', message: 'a resource must be a mapping with kind (or type) and spec' }] };
  }
  const d = doc as Record<string, unknown>;
  const kubernetes = 'apiVersion' in d || 'kind' in d || 'metadata' in d;
  const kindName = kubernetes ? d['kind'] : d['type'];
  const kindField = kubernetes ? 'kind' : 'type';
  if (typeof kindName !== 'string' || kindName === '') {
    return { violations: [{ field: kindField, message: 'must be set' }] };
  }
  const kind = registry.find((k) => k.kind === kindName);
  if (!kind) {
    return { violations: [{ field: kindField, message: unknownKindMessage(kindName, registry) }] };
  }
  const topLevelSpec = kubernetes ? [] : (kind.universalSpecFields ?? []);
  const allowed = kubernetes
    ? ['apiVersion', 'kind', 'metadata', 'spec', 'status']
    : ['type', 'name', 'mesh', 'labels', 'spec', 'creationTime', 'modificationTime', ...topLevelSpec];
  for (const key of Object.keys(d)) if (!allowed.includes(key)) violations.push({ field: field('', key), message: 'unknown field' });

  let apiVersion = kind.apiVersions[0]!;
  let name: unknown;
  let scope = '';
  let labels: Record<string, string> = {};
  if (kubernetes) {
    if (typeof d['apiVersion'] !== 'string' || !kind.apiVersions.includes(d['apiVersion'])) {
      violations.push({ field: 'apiVersion', message: `must be ${kind.apiVersions.join(' or ')} for kind ${kind.kind}` });
    } else {
      apiVersion = d['apiVersion'];
    }
    const metadata = d['metadata'];
    if (typeof metadata !== 'object' || metadata === null) {
      violations.push({ field: 'metadata', message: 'must be set' });
    } else {
      const m = metadata as Record<string, unknown>;
      name = m['name'];
      labels = stringMap(m['labels'], 'metadata.labels', violations);
      if (kind.scope === 'namespaced') scope = typeof m['namespace'] === 'string' && m['namespace'] ? m['namespace'] : 'default';
      if (kind.scope === 'mesh') scope = stringOr(labels['kuma.io/mesh'], 'default');
    }
    name = checkName(name, 'metadata.name', violations);
  } else {
    name = checkName(d['name'], 'name', violations);
    labels = stringMap(d['labels'], 'labels', violations);
    if (kind.scope === 'mesh') scope = stringOr(d['mesh'], 'default');
    else if (kind.scope === 'namespaced') scope = 'default';
    else if (d['mesh'] !== undefined) violations.push({ field: 'mesh', message: `must not be set: ${kind.kind} is global` });
  }
  const spec = topLevelSpec.length > 0 ? universalSpec(d, kind, violations, context) : readSpec(d, kind, violations, context);
  if (violations.length > 0) return { violations };
  return {
    resource: { kind: kind.kind, apiVersion, name: name as string, scope, labels, spec, encoding: kubernetes ? 'kubernetes' : 'universal' },
    violations,
  };
}

function readSpec(d: Record<string, unknown>, kind: KindDefinition, violations: Violation[], context?: ValidationContext): unknown {
  if ('spec' in d) {
    violations.push(...kind.validate(d['spec'], 'spec', context));
    return d['spec'];
  }
  // Kinds that keep their spec at the top level in universal (a Kuma Mesh) are often written
  // with no spec at all in Kubernetes too (`kind: Mesh` and a name): an empty spec, validated.
  if (!kind.universalSpecFields) {
    violations.push({ field: 'spec', message: 'must be set' });
    return undefined;
  }
  violations.push(...kind.validate({}, 'spec', context));
  return {};
}

/**
 * A universal resource whose kind keeps its spec at the top level: the spec is those fields, or
 * `spec` when a user wrote one (not both). Violations then name the fields where they were written.
 */
function universalSpec(d: Record<string, unknown>, kind: KindDefinition, violations: Violation[], context?: ValidationContext): unknown {
  const present = (kind.universalSpecFields ?? []).filter((f) => f in d);
  if ('spec' in d) {
    for (const f of present)
      violations.push({ field: f, message: `must not be set together with 'spec': write a ${kind.kind}'s fields either at the top level or under 'spec'` });
    violations.push(...kind.validate(d['spec'], 'spec', context));
    return d['spec'];
  }
  const spec: Record<string, unknown> = {};
  for (const f of present) spec[f] = d[f];
  violations.push(...kind.validate(spec, '', context));
  return spec;
}

function checkName(name: unknown, path: string, violations: Violation[]): unknown {
  if (typeof name !== 'string' || name === '') violations.push({ field: path, message: 'must be set' });
  else if (name.length > 253 || !dns1123.test(name))
    violations.push({ field: path, message: `"${name}" must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit` });
  return name;
}

function stringMap(value: unknown, path: string, violations: Violation[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    violations.push({ field: path, message: 'must be a mapping of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else violations.push({ field: field(path, k), message: 'must be a string' });
  }
  return out;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** The resource in the encoding it came in, for listing and `GET`. */
export function encodeResource(r: Resource, kind: KindDefinition): Record<string, unknown> {
  if (r.encoding === 'universal') {
    const envelope = {
      type: r.kind,
      name: r.name,
      ...(kind.scope === 'mesh' ? { mesh: r.scope } : {}),
      ...(Object.keys(r.labels).length ? { labels: r.labels } : {}),
    };
    // Kinds whose universal form has no `spec` are written as Kuma writes them: fields at the top.
    if (kind.universalSpecFields && typeof r.spec === 'object' && r.spec !== null) return { ...envelope, ...(r.spec as Record<string, unknown>) };
    return { ...envelope, spec: r.spec };
  }
  const metadata: Record<string, unknown> = { name: r.name };
  if (kind.scope === 'namespaced') metadata['namespace'] = r.scope;
  if (Object.keys(r.labels).length) metadata['labels'] = r.labels;
  return { apiVersion: r.apiVersion, kind: r.kind, metadata, spec: r.spec };
}
