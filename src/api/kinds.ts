/**
 * The resource kinds meshlog knows, listed explicitly: nothing registers itself on import.
 * Adding a kind is one folder under `api/` and one line here.
 */
import { accessLogRecordKind } from './access-log-record/index.js';
import { dataplaneKind } from './dataplane/index.js';
import { globalAccessLogBackendKind } from './global-access-log-backend/index.js';
import { meshKind } from './mesh/index.js';
import { meshAccessLogKind } from './mesh-access-log/index.js';
import { meshAccessLogBackendKind } from './mesh-access-log-backend/index.js';
import { meshExternalServiceKind } from './mesh-external-service/index.js';
import { meshGatewayKind } from './mesh-gateway/index.js';
import { meshGatewayRouteKind } from './mesh-gateway-route/index.js';
import { meshHTTPRouteKind } from './mesh-http-route/index.js';
import { meshMultiZoneServiceKind } from './mesh-multi-zone-service/index.js';
import { meshOpenTelemetryBackendKind } from './mesh-open-telemetry-backend/index.js';
import { meshServiceKind } from './mesh-service/index.js';
import type { KindDefinition } from './types.js';

export const kinds: readonly KindDefinition[] = [
  accessLogRecordKind,
  meshAccessLogKind,
  meshAccessLogBackendKind,
  globalAccessLogBackendKind,
  meshOpenTelemetryBackendKind,
  meshKind,
  dataplaneKind,
  meshServiceKind,
  meshExternalServiceKind,
  meshMultiZoneServiceKind,
  meshGatewayKind,
  meshHTTPRouteKind,
  meshGatewayRouteKind,
];

export function findKind(name: string, registry: readonly KindDefinition[] = kinds): KindDefinition | undefined {
  const lower = name.toLowerCase();
  return registry.find((k) => k.kind.toLowerCase() === lower || k.plural === lower);
}
