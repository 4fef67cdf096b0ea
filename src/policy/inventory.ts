/**
 * The inventory the policies match against: proxies declared as Kuma `Dataplane` resources, and
 * proxies the collector discovered from their ALS identities (Istio sidecars and gateways, Kuma
 * dataplanes without a resource here, plain Envoys). A declared dataplane wins over the
 * discovered proxy of the same `MESH.NAME`.
 *
 * Discovered proxies get Kuma tags from what their identity carries: the service is the label
 * `service.istio.io/canonical-name`, else `app`, else `kuma.io/service`, else the workload name;
 * the zone is the cluster; every label is a tag; the mesh is a Kuma dataplane's own, else `default`. They have one inbound (the proxy's IP) and no
 * declared outbounds: outbound traffic is resolved per destination as it is seen.
 */

import type { InventoryProxy } from '../api/dataplane/model.js';
import { type ProxyIdentity, workloadKey } from '../model/proxy-identity.js';
import { serviceTag } from './target-ref.js';

export function serviceOf(identity: ProxyIdentity): string {
  const l = identity.labels;
  return l['service.istio.io/canonical-name'] ?? l['app'] ?? l[serviceTag] ?? identity.workload.name;
}

/** Tags of a discovered proxy: its labels plus `kuma.io/service` and `kuma.io/zone`. */
export function discoveredTags(identity: ProxyIdentity): Record<string, string> {
  const tags: Record<string, string> = { ...identity.labels, [serviceTag]: serviceOf(identity) };
  if (identity.workload.clusterName && !tags['kuma.io/zone']) tags['kuma.io/zone'] = identity.workload.clusterName;
  return tags;
}

export function discoveredProxy(identity: ProxyIdentity): InventoryProxy {
  const tags = discoveredTags(identity);
  const gateway = identity.proxyType === 'router' || identity.proxyType === 'gateway';
  const zone = tags['kuma.io/zone'];
  return {
    id: identity.flavor === 'kuma' && identity.mesh ? `${identity.mesh}.${identity.instance}` : identity.nodeId,
    // Istio's MESH_ID (usually `cluster.local`) is not a Kuma mesh: Istio proxies are in `default`.
    mesh: identity.flavor === 'kuma' && identity.mesh ? identity.mesh : 'default',
    name: identity.instance || identity.workload.name || identity.nodeId,
    type: gateway ? 'gateway' : 'sidecar',
    address: identity.ip,
    ...(zone ? { zone } : {}),
    inbounds: gateway ? [] : [{ port: 0, address: identity.ip, tags, protocol: 'http' }],
    outbounds: [],
    ...(gateway ? { gatewayTags: tags } : {}),
    origin: 'discovered',
    ...(Object.keys(identity.labels).length > 0 ? { labels: { ...identity.labels } } : {}),
    identity,
  };
}

/** Declared proxies, then discovered ones whose id no declared proxy has. */
export function mergeInventory(declared: readonly InventoryProxy[], identities: readonly ProxyIdentity[]): InventoryProxy[] {
  const out = [...declared];
  const ids = new Set(declared.map((p) => p.id));
  for (const identity of identities) {
    const proxy = discoveredProxy(identity);
    if (ids.has(proxy.id)) continue;
    ids.add(proxy.id);
    out.push(proxy);
  }
  return out;
}

/**
 * The proxies a key names: the one with that id; else those with that name; else those of that
 * workload, as `NAME` or `CLUSTER/NAMESPACE/NAME`. More than one means the key is ambiguous.
 */
export function findProxies(proxies: readonly InventoryProxy[], key: string): InventoryProxy[] {
  const byId = proxies.filter((p) => p.id === key);
  if (byId.length > 0) return byId;
  const byName = proxies.filter((p) => p.name === key);
  if (byName.length > 0) return byName;
  return proxies.filter((p) => p.identity && (p.identity.workload.name === key || workloadKey(p.identity.workload) === key));
}

/** The one proxy a key names, or undefined when none or several do. */
export function findProxy(proxies: readonly InventoryProxy[], key: string): InventoryProxy | undefined {
  const found = findProxies(proxies, key);
  return found.length === 1 ? found[0] : undefined;
}

/** Why a key names no single proxy, for the CLI and the API. */
export function proxyNotFound(proxies: readonly InventoryProxy[], key: string): string {
  const found = findProxies(proxies, key);
  if (found.length > 1) {
    const keys = found.map((p) => (p.identity ? workloadKey(p.identity.workload) : p.id));
    return `"${key}" names ${found.length} proxies: ${keys.join(', ')}; name one of them`;
  }
  return `no proxy "${key}": not a Dataplane resource and not heard from (GET /api/v1/proxies lists them)`;
}
