/**
 * A validated backend, in whichever shape it was written, as the policy engine reads it. A sink
 * backend's fields are the sink's to normalise, wherever they were written.
 */
import { normalizeSinkConfig, type OtlpConfigSpec } from '../../sinks/index.js';

import type { BackendConfSpec, BackendSpec } from './backend-schema.js';
import { backendKind } from './backend-validate.js';
import type { BackendConfig, BackendEntry, OtelBackendReference } from './model.js';

export function normalizeBackendEntry(b: BackendSpec): BackendEntry {
  const kind = backendKind(b);
  if (kind === 'reference') {
    return { type: 'reference', kind: b.reference?.kind ?? 'MeshAccessLogBackend', name: b.reference?.name ?? b.name ?? '' };
  }
  const otel = kind === 'openTelemetry' ? (b.openTelemetry ?? b.conf) : undefined;
  if (otel?.backendRef) return otelReference(otel as OtlpConfigSpec);
  return normalizeBackendConfig(b);
}

/** An openTelemetry backend that names a MeshOpenTelemetryBackend: the policy engine resolves it. */
function otelReference(spec: OtlpConfigSpec): OtelBackendReference {
  const ref = spec.backendRef!;
  return {
    type: 'reference',
    kind: 'MeshOpenTelemetryBackend',
    ...(ref.name ? { name: ref.name } : {}),
    ...(ref.labels && Object.keys(ref.labels).length > 0 ? { labels: { ...ref.labels } } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.attributes ? { attributes: spec.attributes.map(({ key, value }) => ({ key, value })) } : {}),
  };
}

/** A backend that defines one (not a reference): the only kind a backend resource or a Mesh holds. */
export function normalizeBackendConfig(b: BackendSpec): BackendConfig {
  const kind = backendKind(b);
  if (kind === 'store') return { type: 'store' };
  // validateBackend refuses every backend that gets here; a caller skipped validation.
  if (kind === undefined || kind === 'reference') throw new Error(`not a backend definition: ${JSON.stringify(b)}`);
  const cfg: BackendConfSpec = b[kind] ?? b.conf ?? {};
  // The seed writes `format` beside `conf`; validation allows that only for a sink that has one.
  const spec = cfg['format'] === undefined && b.format !== undefined ? { ...cfg, format: b.format } : cfg;
  return normalizeSinkConfig(kind, spec);
}
