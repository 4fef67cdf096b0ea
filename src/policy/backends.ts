/**
 * Resolving a conf's backend entries: inline backends as they are; references to a
 * `MeshAccessLogBackend` (same mesh) or `GlobalAccessLogBackend` by the resource's name or by its
 * `spec.name` (the seed's examples use both); an OpenTelemetry `backendRef` to a
 * `MeshOpenTelemetryBackend` of the mesh by resource name or by labels (several matching labels:
 * the first by name, where Kuma takes the oldest). A reference that finds nothing, or finds two
 * different backends by name, is an error naming it; the backend is then left out, as Kuma skips
 * a dangling `backendRef`.
 */
import type { AccessLogBackendResource } from '../api/mesh-access-log-backend/model.js';
import { type OtelBackendResource, selectsOtelBackend } from '../api/mesh-open-telemetry-backend/index.js';
import type { BackendEntry, BackendReference, OtelBackendReference } from '../api/shared/model.js';
import type { PolicySet, ResolvedBackend } from './types.js';

export interface BackendResolution {
  readonly backends: ResolvedBackend[];
  readonly errors: string[];
}

export function findReferencedBackends(ref: BackendReference, mesh: string, all: readonly AccessLogBackendResource[]): AccessLogBackendResource[] {
  return all.filter(
    (b) => b.kind === ref.kind && (ref.kind === 'GlobalAccessLogBackend' || b.mesh === mesh) && (b.name === ref.name || b.backendName === ref.name),
  );
}

/** The MeshOpenTelemetryBackends of the mesh a `backendRef` selects, first by name. */
export function findOtelBackends(ref: OtelBackendReference, mesh: string, all: readonly OtelBackendResource[]): OtelBackendResource[] {
  return all.filter((b) => b.mesh === mesh && selectsOtelBackend(ref, b)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `name "x"` or `labels {a: b}`. */
export function describeOtelRef(ref: OtelBackendReference): string {
  return ref.name !== undefined
    ? `"${ref.name}"`
    : `with labels {${Object.entries(ref.labels ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}}`;
}

function resolveOtel(ref: OtelBackendReference, mesh: string, set: Pick<PolicySet, 'otelBackends'>): ResolvedBackend | string {
  const found = findOtelBackends(ref, mesh, set.otelBackends ?? [])[0];
  if (!found) return `MeshOpenTelemetryBackend ${describeOtelRef(ref)} not found in mesh "${mesh}"`;
  return {
    type: 'openTelemetry',
    ...found.destination,
    ...(ref.body !== undefined ? { body: ref.body } : {}),
    ...(ref.attributes ? { attributes: ref.attributes } : {}),
    source: { kind: 'MeshOpenTelemetryBackend', name: found.name, mesh: found.mesh, backendName: found.name },
  };
}

/** `where` names the list in messages (`MeshAccessLog default/x spec.to[0].default.backends`). */
export function resolveBackends(
  entries: readonly BackendEntry[],
  mesh: string,
  set: Pick<PolicySet, 'backends' | 'otelBackends'>,
  where: string,
): BackendResolution {
  const backends: ResolvedBackend[] = [];
  const errors: string[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.type !== 'reference') {
      backends.push({ ...entry, source: { kind: 'inline' } });
      continue;
    }
    if (entry.kind === 'MeshOpenTelemetryBackend') {
      const resolved = resolveOtel(entry, mesh, set);
      if (typeof resolved === 'string') errors.push(`${where}[${i}].openTelemetry.backendRef: ${resolved}`);
      else backends.push(resolved);
      continue;
    }
    const found = findReferencedBackends(entry, mesh, set.backends);
    const scope = entry.kind === 'MeshAccessLogBackend' ? ` in mesh "${mesh}"` : '';
    if (found.length === 0) {
      errors.push(`${where}[${i}]: ${entry.kind} "${entry.name}" not found${scope} (by resource name or spec.name)`);
      continue;
    }
    if (found.length > 1) {
      const names = found.map((b) => `${b.name} (spec.name ${b.backendName})`).join(', ');
      errors.push(`${where}[${i}]: ${entry.kind} "${entry.name}" is ambiguous${scope}: it names ${names}`);
      continue;
    }
    const b = found[0]!;
    backends.push({ ...b.backend, source: { kind: b.kind, name: b.name, mesh: b.mesh, backendName: b.backendName } });
  }
  return { backends, errors };
}
