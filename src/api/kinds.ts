/**
 * The resource kinds meshlog knows, listed explicitly: nothing registers itself on import.
 * Adding a kind is one folder under `api/` and one line here.
 */
import type { TSchema } from '@sinclair/typebox';
import { accessLogRecordKind } from './access-log-record/index.js';
import { dataplaneKind } from './dataplane/index.js';
import { globalAccessLogBackendKind } from './global-access-log-backend/index.js';
import { meshKind } from './mesh/index.js';
import { meshAccessLogKind } from './mesh-access-log/index.js';
import { meshAccessLogBackendKind } from './mesh-access-log-backend/index.js';
import { meshGatewayRouteKind } from './mesh-gateway-route/index.js';
import { meshHTTPRouteKind } from './mesh-http-route/index.js';
import type { Resource } from './resource.js';
import type { Violation } from '../model/violations.js';

export type KindScope = 'namespaced' | 'mesh' | 'global';

export interface KindDefinition {
  readonly kind: string;
  /** Accepted apiVersions for the Kubernetes encoding; the first is the one meshlog writes. */
  readonly apiVersions: readonly string[];
  readonly scope: KindScope;
  /** Lower-case plural, as in a CRD name (`accesslogrecords`). */
  readonly plural: string;
  readonly schema: TSchema;
  /** Pure: every violation of the spec, paths rooted at `path` (normally `spec`). */
  readonly validate: (spec: unknown, path: string) => Violation[];
  /** Refuses to delete `resource` while others depend on it (a message per dependent). */
  readonly beforeDelete?: (resource: Resource, all: readonly Resource[]) => string[];
  /**
   * Kuma universal resources of some kinds carry their spec at the top level, beside `type` and
   * `name` (a `Dataplane`'s `networking`, a `Mesh`'s `logging`): these fields become the spec.
   */
  readonly universalSpecFields?: readonly string[];
}

export const kinds: readonly KindDefinition[] = [
  accessLogRecordKind,
  meshAccessLogKind,
  meshAccessLogBackendKind,
  globalAccessLogBackendKind,
  meshKind,
  dataplaneKind,
  meshHTTPRouteKind,
  meshGatewayRouteKind,
];

export function findKind(name: string, registry: readonly KindDefinition[] = kinds): KindDefinition | undefined {
  const lower = name.toLowerCase();
  return registry.find((k) => k.kind.toLowerCase() === lower || k.plural === lower);
}
