/**
 * A validated MeshOpenTelemetryBackend as the policy engine reads it, whether a reference selects
 * it, and the policies that keep it in use.
 */
import { type OtlpDestinationSpec, resolveOtlpDestination } from '../../sinks/index.js';
import { backendReferenceSites } from '../mesh-access-log/index.js';
import { hasLabels, resourceLabels } from '../shared/index.js';
import type { OtelBackendReference } from '../shared/model.js';
import type { Resource } from '../types.js';
import type { OtelBackendResource } from './model.js';

export function normalizeOtelBackend(r: Resource): OtelBackendResource {
  return { name: r.name, mesh: r.scope, labels: resourceLabels(r), destination: resolveOtlpDestination((r.spec ?? {}) as OtlpDestinationSpec) };
}

/** Whether `ref` names `backend`: its resource name, or all of the labels. */
export function selectsOtelBackend(ref: Pick<OtelBackendReference, 'name' | 'labels'>, backend: Pick<OtelBackendResource, 'name' | 'labels'>): boolean {
  return ref.name !== undefined ? ref.name === backend.name : ref.labels !== undefined && hasLabels(backend.labels, ref.labels);
}

/** One message per MeshAccessLog backend of its mesh that references this one. */
export function otelBackendInUse(backend: Resource, all: readonly Resource[]): string[] {
  const b = normalizeOtelBackend(backend);
  const messages: string[] = [];
  for (const policy of all) {
    if (policy.kind !== 'MeshAccessLog' || policy.scope !== b.mesh) continue;
    for (const site of backendReferenceSites(policy)) {
      if (site.reference.kind === 'MeshOpenTelemetryBackend' && selectsOtelBackend(site.reference, b))
        messages.push(`MeshAccessLog ${policy.scope}/${policy.name} references it at ${site.path}`);
    }
  }
  return messages;
}
