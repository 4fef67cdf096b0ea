/**
 * A proxy as the policy engine matches it: declared as a `Dataplane`, or discovered from its ALS
 * streams (then it carries the identity those streams gave).
 */
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import type { ServiceKind } from '../mesh-service/model.js';
import type { ListenerProtocol } from '../shared/model.js';

export interface ProxyInbound {
  /** Port the proxy listens on for this inbound. */
  readonly port: number;
  /** What a `sectionName` names it by (Kuma's inbound `name`); else its port. */
  readonly name?: string;
  /** Port of the application behind it, when different. */
  readonly servicePort?: number;
  readonly address: string;
  /** Kuma tags: `kuma.io/service` (required), `kuma.io/zone`, `version`, ... */
  readonly tags: Readonly<Record<string, string>>;
  readonly protocol: ListenerProtocol;
}

export interface ProxyOutbound {
  readonly port: number;
  readonly address?: string;
  /** Destination service (`kuma.io/service` of the target), or the resource its `backendRef` names. */
  readonly service: string;
  /** The `backendRef`'s kind: `MeshService`, `MeshExternalService`, `MeshMultiZoneService`. */
  readonly kind?: ServiceKind;
  /** The `backendRef`'s port: the destination service's port (what a `sectionName` names). */
  readonly servicePort?: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly protocol: ListenerProtocol;
}

export interface InventoryProxy {
  /** `MESH.NAME` for Kuma dataplanes; the ALS node id for proxies only discovered from logs. */
  readonly id: string;
  readonly mesh: string;
  readonly name: string;
  readonly type: 'sidecar' | 'gateway';
  readonly address: string;
  /** `kuma.io/zone` (Istio: the cluster). */
  readonly zone?: string;
  readonly inbounds: readonly ProxyInbound[];
  readonly outbounds: readonly ProxyOutbound[];
  /** Tags of a gateway dataplane (`kuma.io/service` of the gateway, ...). */
  readonly gatewayTags?: Readonly<Record<string, string>>;
  readonly origin: 'Dataplane' | 'discovered';
  /** The Dataplane resource's labels, or the discovered proxy's (pod) labels: what `kind: Dataplane, labels` selects by. */
  readonly labels?: Readonly<Record<string, string>>;
  /** For discovered proxies: the identity their ALS streams carried. */
  readonly identity?: ProxyIdentity;
}
