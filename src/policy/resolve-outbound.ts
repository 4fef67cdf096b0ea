/**
 * The rules for outbound traffic from a proxy to one destination: the `to` entries of the
 * policies that select the proxy, whose target takes the destination (`Mesh`, the service by name
 * or labels, one port of it by `sectionName`, a MeshExternalService or MeshMultiZoneService),
 * merged into one rule; before it, one rule per `MeshHTTPRoute` that routes this proxy's traffic to
 * the destination and that a `to` entry names: for the requests the route takes, its conf replaces
 * the destination's (as in Kuma; `backends: []` turns logging off for the route).
 */
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import type { ServiceKind } from '../api/mesh-service/model.js';
import { byImportance, type Collected, type Item, isRouteKind, ruleFrom } from './items.js';
import { type Destination, selectsDestination, selectsProxy, serviceResourceOf } from './selection.js';
import { hasTags, serviceTag } from './target-ref.js';
import type { ListenerLogConfig, PolicySet, ResolvedRule } from './types.js';

export interface OutboundDestination {
  readonly service: string;
  readonly kind?: ServiceKind;
  readonly namespace?: string;
  /** The port the proxy's outbound listener takes the traffic on. */
  readonly port?: number;
  /** The destination service's port (what a `sectionName` names); default `port`. */
  readonly servicePort?: number;
  /** The destination's port by name or number, when traffic names it so. */
  readonly section?: string;
  readonly address?: string;
  readonly protocol?: 'http' | 'tcp';
  readonly tags?: Readonly<Record<string, string>>;
}

/** The `to` entries of the policies that select the proxy, with the policy-level filter `take`. */
function toItems(set: PolicySet, proxy: InventoryProxy, take: (item: Item) => boolean): Item[] {
  const items: Item[] = [];
  for (const policy of set.policies) {
    if (policy.mesh !== proxy.mesh || isRouteKind(policy.targetRef) || !selectsProxy(policy.targetRef, proxy, set)) continue;
    policy.to.forEach((entry, index) => {
      const item: Item = { policy, section: 'to', index, entryRef: entry.targetRef, conf: entry.default };
      if (take(item)) items.push(item);
    });
  }
  return items.sort(byImportance);
}

function routeNamed(route: RouteResource, item: Item): boolean {
  const ref = item.entryRef;
  if (ref.kind !== 'MeshHTTPRoute') return false;
  return ref.labels ? hasTags(route.labels ?? {}, ref.labels) : ref.name === route.name;
}

function routeRules(set: PolicySet, proxy: InventoryProxy, dest: Destination, out: Collected): ResolvedRule[] {
  const routes = set.routes
    .filter(
      (r) =>
        r.kind === 'MeshHTTPRoute' &&
        r.mesh === proxy.mesh &&
        selectsProxy(r.targetRef, proxy, set) &&
        (r.destinations === undefined || r.destinations.some((d) => selectsDestination(d, dest, set))),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return routes.flatMap((route) => {
    const items = toItems(set, proxy, (item) => routeNamed(route, item));
    return items.length > 0 ? [{ route, ...ruleFrom(items, proxy.mesh, set, out) }] : [];
  });
}

export function outboundRules(set: PolicySet, proxy: InventoryProxy, dest: Destination, out: Collected): ResolvedRule[] {
  const items = toItems(set, proxy, (item) => !isRouteKind(item.entryRef) && selectsDestination(item.entryRef, dest, set));
  const service = items.length > 0 ? [ruleFrom(items, proxy.mesh, set, out)] : [];
  return [...routeRules(set, proxy, dest, out), ...service];
}

/** The rules for traffic from a proxy to a destination service, declared as an outbound or not. */
export function resolveOutbound(set: PolicySet, proxy: InventoryProxy, destination: OutboundDestination): { listener: ListenerLogConfig; errors: string[] } {
  const out: Collected = { errors: new Set() };
  const port = destination.port ?? 0;
  const dest: Destination = {
    service: destination.service,
    mesh: proxy.mesh,
    ...(destination.kind ? { kind: destination.kind } : {}),
    ...(destination.namespace ? { namespace: destination.namespace } : {}),
    ...((destination.servicePort ?? destination.port) ? { port: destination.servicePort ?? destination.port } : {}),
    ...(destination.section ? { section: destination.section } : {}),
  };
  const resource = serviceResourceOf(dest, set);
  const kind = destination.kind ?? resource?.kind;
  // A destination by backendRef has no protocol tag: its service port says.
  const servicePort = resource?.ports.find((p) => p.port === dest.port) ?? (resource?.ports.length === 1 ? resource.ports[0] : undefined);
  const protocol = destination.kind && servicePort ? servicePort.protocol : (destination.protocol ?? 'http');
  const named = destination.servicePort !== undefined ? `${destination.service}:${destination.servicePort}` : destination.service;
  const listener: ListenerLogConfig = {
    direction: 'outbound',
    name: destination.address ? `outbound:${destination.address}:${port}` : `outbound:${named}`,
    address: destination.address ?? '',
    port,
    protocol,
    service: destination.service,
    ...(kind ? { destinationKind: kind } : {}),
    tags: destination.tags ?? { [serviceTag]: destination.service },
    rules: outboundRules(set, proxy, dest, out),
  };
  return { listener, errors: [...out.errors] };
}
