/**
 * A destination service as the policy engine reads it: a `MeshService` (the dataplanes it fronts,
 * its ports), a `MeshExternalService` (a service outside the mesh) or a `MeshMultiZoneService`
 * (MeshServices of several zones under one name). `to[].targetRef` selects them by name or labels,
 * and one of their ports by `sectionName`.
 */
import type { ListenerProtocol } from '../shared/model.js';

export type ServiceKind = 'MeshService' | 'MeshExternalService' | 'MeshMultiZoneService';

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** MeshService: the inbound port (or its name) on the dataplanes behind it. */
  readonly targetPort?: number | string;
  readonly protocol: ListenerProtocol;
}

export interface ServiceResource {
  readonly kind: ServiceKind;
  readonly name: string;
  readonly mesh: string;
  /** Its `k8s.kuma.io/namespace` label. */
  readonly namespace?: string;
  /** Its labels with Kuma's own (`kuma.io/display-name`, `kuma.io/mesh`): what `labels` selects by. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  /** MeshService: the inbounds it fronts, by their tags. */
  readonly dataplaneTags?: Readonly<Record<string, string>>;
  /** MeshService: the one dataplane it fronts, by name. */
  readonly dataplaneName?: string;
  /** MeshMultiZoneService: the MeshServices it groups, by their labels. */
  readonly serviceLabels?: Readonly<Record<string, string>>;
  /** MeshExternalService: the addresses it reaches. */
  readonly endpoints?: readonly { readonly address: string; readonly port?: number }[];
}

/** A port's name or number, as `sectionName` names it. */
export function portMatches(port: ServicePort, sectionName: string): boolean {
  return port.name === sectionName || String(port.port) === sectionName;
}
