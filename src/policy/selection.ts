/**
 * What each `targetRef` kind selects in the inventory: which proxies and which of their inbounds
 * (the top level), which destinations (`to`). Kinds of tags match tags; the kinds that name
 * resources look them up: a `Dataplane` by name, namespace or labels (and one inbound by
 * `sectionName`), a `MeshGateway` through the gateway resource that configures the proxy, a
 * `MeshService` through the MeshService resources that front an inbound (or, for services Kuma
 * knows only by tag, the `kuma.io/service` tag), a destination through its service resource (one
 * port of it by `sectionName`). docs/concepts.md states these rules for users.
 */
import type { InventoryProxy, ProxyInbound } from '../api/dataplane/model.js';
import type { GatewayResource } from '../api/mesh-gateway/model.js';
import { portMatches, type ServiceKind, type ServicePort, type ServiceResource } from '../api/mesh-service/model.js';
import { displayNameLabel, meshLabel, namespaceLabel } from '../api/shared/labels.js';
import type { TargetRef } from '../api/shared/model.js';
import { hasTags, selectsTags, serviceTag } from './target-ref.js';
import type { PolicySet } from './types.js';

/** The resources selection looks up. */
export type Inventory = Pick<PolicySet, 'services' | 'gateways'>;

/** A proxy's labels as `kind: Dataplane, labels` selects by: its own, and Kuma's (name, mesh, zone, namespace). */
export function proxyLabels(proxy: InventoryProxy): Record<string, string> {
  const namespace = proxy.labels?.[namespaceLabel] ?? proxy.identity?.workload.namespace ?? proxy.inbounds[0]?.tags[namespaceLabel];
  return {
    [displayNameLabel]: proxy.name,
    [meshLabel]: proxy.mesh,
    ...(proxy.zone ? { 'kuma.io/zone': proxy.zone } : {}),
    ...(namespace ? { [namespaceLabel]: namespace } : {}),
    ...proxy.labels,
  };
}

/** The MeshGateways that configure a gateway proxy: of its mesh, a selector its tags hold. */
export function gatewaysOf(proxy: InventoryProxy, gateways: readonly GatewayResource[] = []): GatewayResource[] {
  if (proxy.type !== 'gateway' || !proxy.gatewayTags) return [];
  const tags = proxy.gatewayTags;
  return gateways.filter((g) => g.mesh === proxy.mesh && g.selectors.some((s) => hasTags(tags, s)));
}

/**
 * The inbounds a proxy's policies attach to: its declared inbounds; for a gateway, the listeners
 * of the MeshGateways that configure it, else one listener for the whole gateway (port 0).
 */
export function inboundsOf(proxy: InventoryProxy, gateways: readonly GatewayResource[] = []): readonly ProxyInbound[] {
  if (proxy.type !== 'gateway' || proxy.inbounds.length > 0) return proxy.inbounds;
  const tags = proxy.gatewayTags ?? {};
  const listeners = gatewaysOf(proxy, gateways).flatMap((g) => g.listeners);
  if (listeners.length === 0) return [{ port: 0, address: proxy.address, tags, protocol: 'http' }];
  return listeners.map((l) => ({ port: l.port, address: proxy.address, tags: { ...tags, ...l.tags }, protocol: l.protocol }));
}

function proxyTypeOk(ref: TargetRef, proxy: InventoryProxy): boolean {
  if (!ref.proxyTypes) return true;
  return ref.proxyTypes.includes(proxy.type === 'gateway' ? 'Gateway' : 'Sidecar');
}

function dataplaneSelected(ref: TargetRef, proxy: InventoryProxy): boolean {
  const labels = proxyLabels(proxy);
  if (ref.labels) return hasTags(labels, ref.labels);
  return (ref.name === undefined || ref.name === proxy.name) && (ref.namespace === undefined || labels[namespaceLabel] === ref.namespace);
}

function inboundNamed(inbound: ProxyInbound, sectionName: string): boolean {
  return inbound.name === sectionName || String(inbound.port) === sectionName;
}

/** A service port's `targetPort` is this inbound: a number is its port (or service port), a name its name. */
function targetsInbound(port: ServicePort, inbound: ProxyInbound): boolean {
  const target = port.targetPort ?? port.port;
  return typeof target === 'number' ? inbound.port === target || inbound.servicePort === target : inbound.name === target;
}

/** Whether a MeshService resource fronts this inbound (on that port, with a `sectionName`). */
function fronts(svc: ServiceResource, proxy: InventoryProxy, inbound: ProxyInbound, sectionName: string | undefined): boolean {
  if (svc.kind !== 'MeshService' || svc.mesh !== proxy.mesh) return false;
  if (svc.dataplaneName !== undefined ? svc.dataplaneName !== proxy.name : !svc.dataplaneTags || !hasTags(inbound.tags, svc.dataplaneTags)) return false;
  if (sectionName !== undefined) return svc.ports.some((p) => portMatches(p, sectionName) && targetsInbound(p, inbound));
  return svc.ports.length === 0 || svc.ports.some((p) => targetsInbound(p, inbound));
}

/** The service resources a name or labels ref names. */
function servicesNamed(ref: TargetRef, kind: ServiceKind, mesh: string, inv: Inventory): ServiceResource[] {
  return (inv.services ?? []).filter(
    (s) =>
      s.kind === kind &&
      s.mesh === mesh &&
      (ref.labels ? hasTags(s.labels, ref.labels) : s.name === ref.name && (ref.namespace === undefined || s.namespace === ref.namespace)),
  );
}

/** Whether a gateway proxy is the `MeshGateway` of that name (a gateway Kuma knows by tag only: its `kuma.io/service`). */
function gatewayNamed(name: string | undefined, proxy: InventoryProxy, inv: Inventory): boolean {
  if (proxy.type !== 'gateway') return false;
  const configured = gatewaysOf(proxy, inv.gateways);
  if (configured.length > 0) return configured.some((g) => g.name === name);
  return (inv.gateways ?? []).every((g) => g.mesh !== proxy.mesh || g.name !== name) && proxy.gatewayTags?.[serviceTag] === name;
}

/** Whether a top-level target selects this inbound of this proxy. */
export function selectsInbound(ref: TargetRef, proxy: InventoryProxy, inbound: ProxyInbound, inv: Inventory = {}): boolean {
  if (!proxyTypeOk(ref, proxy)) return false;
  switch (ref.kind) {
    case 'Dataplane':
      return dataplaneSelected(ref, proxy) && (ref.sectionName === undefined || inboundNamed(inbound, ref.sectionName));
    case 'MeshGateway':
      return gatewayNamed(ref.name, proxy, inv);
    case 'MeshService': {
      const resources = servicesNamed(ref, 'MeshService', proxy.mesh, inv);
      if (resources.some((svc) => fronts(svc, proxy, inbound, ref.sectionName))) return true;
      // A service Kuma knows by its tag alone (no MeshService resource of that name).
      return resources.length === 0 && !ref.labels && !ref.sectionName && selectsTags(ref, inbound.tags);
    }
    default:
      return selectsTags(ref, inbound.tags);
  }
}

/** A proxy as a whole (for its outbounds): `Mesh`, or any of its inbounds (or its gateway) selected. */
export function selectsProxy(ref: TargetRef, proxy: InventoryProxy, inv: Inventory = {}): boolean {
  if (!proxyTypeOk(ref, proxy)) return false;
  if (ref.kind === 'Mesh') return true;
  if (ref.kind === 'Dataplane' && ref.sectionName === undefined) return dataplaneSelected(ref, proxy);
  if (proxy.gatewayTags && selectsTags(ref, proxy.gatewayTags)) return true;
  return inboundsOf(proxy, inv.gateways).some((inbound) => selectsInbound(ref, proxy, inbound, inv));
}

/** Where outbound traffic goes, as far as the proxy or the entry says. */
export interface Destination {
  /** The `kuma.io/service` name, or the name of the service resource. */
  readonly service: string;
  readonly mesh: string;
  /** The kind of resource, when known (a declared outbound's `backendRef`, a Kuma cluster name). */
  readonly kind?: ServiceKind;
  readonly namespace?: string;
  /** The destination service's port, when known. */
  readonly port?: number;
  /** The port by name or number, as Kuma's cluster names give it. */
  readonly section?: string;
}

const lookupOrder: readonly ServiceKind[] = ['MeshService', 'MeshMultiZoneService', 'MeshExternalService'];

/** The service resource a destination is, if the inventory has it. */
export function serviceResourceOf(dest: Destination, inv: Inventory): ServiceResource | undefined {
  for (const kind of dest.kind ? [dest.kind] : lookupOrder) {
    // A namespace from traffic (Kuma's cluster names) is not held against a resource that has none.
    const found = (inv.services ?? []).find(
      (s) =>
        s.kind === kind &&
        s.mesh === dest.mesh &&
        s.name === dest.service &&
        (dest.namespace === undefined || s.namespace === undefined || s.namespace === dest.namespace),
    );
    if (found) return found;
  }
  return undefined;
}

/** Whether a `to` target (not a route) takes traffic to this destination. */
export function selectsDestination(ref: TargetRef, dest: Destination, inv: Inventory = {}): boolean {
  if (ref.kind === 'Mesh') return true;
  if (ref.kind !== 'MeshService' && ref.kind !== 'MeshExternalService' && ref.kind !== 'MeshMultiZoneService') return false;
  const resource = serviceResourceOf(dest, inv);
  // A destination Kuma knows only by its tag is a MeshService named after it.
  if ((resource?.kind ?? dest.kind ?? 'MeshService') !== ref.kind) return false;
  const labels = resource?.labels ?? { [displayNameLabel]: dest.service, [meshLabel]: dest.mesh };
  const named = ref.labels
    ? hasTags(labels, ref.labels)
    : ref.name === dest.service && (ref.namespace === undefined || ref.namespace === (resource?.namespace ?? dest.namespace));
  if (!named) return false;
  if (ref.sectionName === undefined) return true;
  if (dest.section === ref.sectionName) return true;
  const port = resource?.ports.find((p) => portMatches(p, ref.sectionName!));
  if (port !== undefined) return port.port === dest.port || (dest.section !== undefined && portMatches(port, dest.section));
  return dest.port !== undefined && String(dest.port) === ref.sectionName;
}
