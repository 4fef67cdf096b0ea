/**
 * From validated resources to what the engine matches with: the policy set (policies, backends,
 * OpenTelemetry backends, routes, services, gateways), the declared proxies, and the
 * AccessLogRecords. The same function serves the CLI (files,
 * `--config-dir`) and the server (its resource repository), so both see the same result.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import { normalizeDataplane } from '../api/dataplane/normalize.js';
import { normalizeMeshLoggingBackends } from '../api/mesh/normalize.js';
import { normalizeMeshAccessLog } from '../api/mesh-access-log/index.js';
import type { MeshAccessLogPolicy } from '../api/mesh-access-log/model.js';
import type { AccessLogBackendResource } from '../api/mesh-access-log-backend/model.js';
import { normalizeAccessLogBackend } from '../api/mesh-access-log-backend/normalize.js';
import { normalizeMeshExternalService } from '../api/mesh-external-service/index.js';
import { normalizeMeshGateway } from '../api/mesh-gateway/index.js';
import type { GatewayResource } from '../api/mesh-gateway/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import { normalizeRoute } from '../api/mesh-http-route/normalize.js';
import { normalizeMeshMultiZoneService } from '../api/mesh-multi-zone-service/index.js';
import { normalizeOtelBackend } from '../api/mesh-open-telemetry-backend/index.js';
import type { OtelBackendResource } from '../api/mesh-open-telemetry-backend/model.js';
import { normalizeMeshService } from '../api/mesh-service/index.js';
import type { ServiceResource } from '../api/mesh-service/model.js';
import type { Resource } from '../api/types.js';
import type { PolicySet } from './types.js';

export interface PolicyContext {
  readonly set: PolicySet;
  /** Proxies declared as `Dataplane` resources. */
  readonly proxies: readonly InventoryProxy[];
  readonly records: readonly AccessLogRecordLike[];
}

export function buildPolicyContext(resources: readonly Resource[]): PolicyContext {
  const set = {
    policies: [] as MeshAccessLogPolicy[],
    backends: [] as AccessLogBackendResource[],
    routes: [] as RouteResource[],
    otelBackends: [] as OtelBackendResource[],
    services: [] as ServiceResource[],
    gateways: [] as GatewayResource[],
  } satisfies PolicySet;
  const proxies: InventoryProxy[] = [];
  const records: AccessLogRecordLike[] = [];
  for (const r of resources) {
    switch (r.kind) {
      case 'MeshAccessLog':
        set.policies.push(normalizeMeshAccessLog(r));
        break;
      case 'MeshAccessLogBackend':
      case 'GlobalAccessLogBackend':
        set.backends.push(normalizeAccessLogBackend(r));
        break;
      case 'Mesh':
        set.backends.push(...normalizeMeshLoggingBackends(r));
        break;
      case 'Dataplane':
        proxies.push(normalizeDataplane(r));
        break;
      case 'MeshHTTPRoute':
      case 'MeshGatewayRoute':
        set.routes.push(normalizeRoute(r));
        break;
      case 'MeshOpenTelemetryBackend':
        set.otelBackends.push(normalizeOtelBackend(r));
        break;
      case 'MeshService':
        set.services.push(normalizeMeshService(r));
        break;
      case 'MeshExternalService':
        set.services.push(normalizeMeshExternalService(r));
        break;
      case 'MeshMultiZoneService':
        set.services.push(normalizeMeshMultiZoneService(r));
        break;
      case 'MeshGateway':
        set.gateways.push(normalizeMeshGateway(r));
        break;
      case 'AccessLogRecord':
        records.push({ name: r.name, namespace: r.scope, spec: (r.spec ?? {}) as AccessLogRecordLike['spec'] });
        break;
    }
  }
  return { set, proxies, records };
}
