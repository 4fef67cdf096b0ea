/**
 * A validated backend, in whichever shape it was written, as the policy engine reads it.
 */
import type { BackendConfSpec, BackendSpec } from './backend-schema.js';
import { backendKind } from './backend-validate.js';
import { normalizeFormat } from '../../format/index.js';
import type { OtelAttribute } from '../../sinks/index.js';
import type { BackendConfig, BackendEntry } from './model.js';

export function normalizeBackendEntry(b: BackendSpec): BackendEntry {
  const kind = backendKind(b);
  if (kind === 'reference') {
    return { type: 'reference', kind: b.reference?.kind ?? 'MeshAccessLogBackend', name: b.reference?.name ?? b.name ?? '' };
  }
  return normalizeBackendConfig(b);
}

/** A backend that defines one (not a reference): the only kind a backend resource or a Mesh holds. */
export function normalizeBackendConfig(b: BackendSpec): BackendConfig {
  const kind = backendKind(b);
  switch (kind) {
    case 'store':
      return { type: 'store' };
    case 'file': {
      const cfg: BackendConfSpec = b.file ?? b.conf ?? {};
      return withFormat({ type: 'file', path: cfg.path ?? '' }, cfg, b);
    }
    case 'tcp': {
      const cfg: BackendConfSpec = b.tcp ?? b.conf ?? {};
      return withFormat({ type: 'tcp', address: cfg.address ?? '' }, cfg, b);
    }
    case 'openTelemetry': {
      const cfg: BackendConfSpec = b.openTelemetry ?? b.conf ?? {};
      const attributes: OtelAttribute[] | undefined = cfg.attributes?.map(({ key, value }) => ({ key, value }));
      return {
        type: 'openTelemetry',
        endpoint: cfg.endpoint ?? '',
        ...(cfg.body !== undefined ? { body: cfg.body } : {}),
        ...(attributes ? { attributes } : {}),
      };
    }
    default:
      // validateBackend refuses every backend that gets here; a caller skipped validation.
      throw new Error(`not a backend definition: ${JSON.stringify(b)}`);
  }
}

function withFormat<T extends { type: 'file' | 'tcp' }>(config: T, cfg: BackendConfSpec, b: BackendSpec): T {
  const format = normalizeFormat(cfg.format ?? b.format);
  return format ? { ...config, format } : config;
}
