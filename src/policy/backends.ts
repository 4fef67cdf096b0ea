/**
 * Resolving a conf's backend entries: inline backends as they are, references to a
 * `MeshAccessLogBackend` (same mesh) or `GlobalAccessLogBackend` by the resource's name or by its
 * `spec.name` (the seed's examples use both). A reference that finds nothing, or finds two
 * different backends, is an error naming it; the backend is then left out.
 */
import type { ResolvedBackend } from './types.js';
import type { AccessLogBackendResource } from '../api/mesh-access-log-backend/model.js';
import type { BackendEntry, BackendReference } from '../api/shared/model.js';

export interface BackendResolution {
  readonly backends: ResolvedBackend[];
  readonly errors: string[];
}

export function findReferencedBackends(ref: BackendReference, mesh: string, all: readonly AccessLogBackendResource[]): AccessLogBackendResource[] {
  return all.filter(
    (b) => b.kind === ref.kind && (ref.kind === 'GlobalAccessLogBackend' || b.mesh === mesh) && (b.name === ref.name || b.backendName === ref.name),
  );
}

/** `where` names the list in messages (`MeshAccessLog default/x spec.to[0].default.backends`). */
export function resolveBackends(entries: readonly BackendEntry[], mesh: string, all: readonly AccessLogBackendResource[], where: string): BackendResolution {
  const backends: ResolvedBackend[] = [];
  const errors: string[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.type !== 'reference') {
      backends.push({ ...entry, source: { kind: 'inline' } });
      continue;
    }
    const found = findReferencedBackends(entry, mesh, all);
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
