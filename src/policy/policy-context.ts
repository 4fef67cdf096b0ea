/**
 * From validated resources to what the engine matches with: the policy set (policies, backends,
 * routes), the declared proxies, and the AccessLogRecords. The same function serves the CLI (files,
 * `--config-dir`) and the server (its resource repository), so both see the same result.
 */
import { normalizeDataplane } from '../api/dataplane/normalize.js';
import { normalizeRoute } from '../api/mesh-http-route/normalize.js';
import { normalizeAccessLogBackend } from '../api/mesh-access-log-backend/normalize.js';
import { normalizeMeshAccessLog } from '../api/mesh-access-log/index.js';
import { normalizeMeshLoggingBackends } from '../api/mesh/normalize.js';
import type { PolicySet } from './types.js';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import type { Resource } from '../api/types.js';

export interface PolicyContext {
  readonly set: PolicySet;
  /** Proxies declared as `Dataplane` resources. */
  readonly proxies: readonly InventoryProxy[];
  readonly records: readonly AccessLogRecordLike[];
}

export function buildPolicyContext(resources: readonly Resource[]): PolicyContext {
  const set = { policies: [] as PolicySet['policies'][number][], backends: [] as PolicySet['backends'][number][], routes: [] as RouteResource[] };
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
      case 'AccessLogRecord':
        records.push({ name: r.name, namespace: r.scope, spec: (r.spec ?? {}) as AccessLogRecordLike['spec'] });
        break;
    }
  }
  return { set, proxies, records };
}
