/**
 * A validated backend resource as the policy engine reads it, and the policies that keep it in use.
 */

import { backendReferenceSites } from '../mesh-access-log/index.js';
import { normalizeBackendConfig } from '../shared/index.js';
import type { BackendReferenceKind } from '../shared/model.js';
import type { Resource } from '../types.js';
import type { AccessLogBackendResource } from './model.js';
import type { AccessLogBackendSpec } from './schema.js';

export function normalizeAccessLogBackend(r: Resource): AccessLogBackendResource {
  const spec = r.spec as AccessLogBackendSpec;
  const kind = r.kind as BackendReferenceKind;
  return { kind, name: r.name, mesh: kind === 'GlobalAccessLogBackend' ? '' : r.scope, backendName: spec.name, backend: normalizeBackendConfig(spec) };
}

/**
 * One message per MeshAccessLog entry that references `backend` (by resource name or spec.name;
 * a global backend from any mesh): deleting it would leave those references dangling.
 */
export function backendInUse(backend: Resource, all: readonly Resource[]): string[] {
  const { kind, name, mesh, backendName } = normalizeAccessLogBackend(backend);
  const messages: string[] = [];
  for (const policy of all) {
    if (policy.kind !== 'MeshAccessLog' || (kind === 'MeshAccessLogBackend' && policy.scope !== mesh)) continue;
    for (const site of backendReferenceSites(policy)) {
      const ref = site.reference;
      if (ref.kind === kind && (ref.name === name || ref.name === backendName))
        messages.push(`MeshAccessLog ${policy.scope}/${policy.name} references it at ${site.path}`);
    }
  }
  return messages;
}
