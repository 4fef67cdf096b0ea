/**
 * For one proxy: which `MeshAccessLog` entries apply to each inbound and outbound, merged by
 * Kuma's rules, with every backend reference resolved. Pure; feeds `inspect`, `render` and the
 * pipeline alike. The order of importance is `items.ts`'s; what each target selects,
 * `selection.ts`'s; outbound traffic, `resolve-outbound.ts`'s.
 *
 * Inbound: each distinct caller target (`from`) becomes a rule whose conf merges every entry whose
 * target contains those callers (a `Mesh` entry contributes to the rule for `MeshService web`).
 * Rules are ordered most specific first and the first that matches a request applies. Policies
 * that target a route replace the listener's conf for the requests that route takes.
 */

import type { InventoryProxy, ProxyInbound } from '../api/dataplane/model.js';
import type { MeshAccessLogPolicy } from '../api/mesh-access-log/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';
import { portMatches } from '../api/mesh-service/model.js';
import type { PeerMatch, TargetRef } from '../api/shared/model.js';
import { byImportance, type Collected, type Item, isRouteKind, matchWeight, ruleFrom } from './items.js';
import { type OutboundDestination, resolveOutbound } from './resolve-outbound.js';
import { inboundsOf, selectsInbound, selectsProxy, serviceResourceOf } from './selection.js';
import { compareSpecificity, contains, hasTags, serviceTag, targetKey } from './target-ref.js';
import type { ListenerLogConfig, PolicySet, ProxyLogConfig, ResolvedRule } from './types.js';

export { type OutboundDestination, resolveOutbound } from './resolve-outbound.js';

interface Condition {
  readonly ref: TargetRef;
  readonly matches?: readonly PeerMatch[];
}

function conditionKey(c: Condition): string {
  return `${targetKey(c.ref)}${c.matches ? JSON.stringify(c.matches) : ''}`;
}

/** Whether an entry's conf is part of the rule for a condition. */
function contributes(item: Item, condition: Condition): boolean {
  if (item.matches) return conditionKey({ ref: item.entryRef, matches: item.matches }) === conditionKey(condition);
  return contains(item.entryRef, condition.ref);
}

/** Most specific first: the target, then rules with `matches` (SPIFFE Exact, Prefix, SNI) before plain ones. */
function bySpecificity(a: Condition, b: Condition): number {
  return compareSpecificity(b.ref, a.ref) || matchWeight(b.matches) - matchWeight(a.matches);
}

/** The rules of one set of `from` items (one per distinct caller condition), most specific first. */
function inboundRulesOf(items: readonly Item[], mesh: string, set: PolicySet, out: Collected): ResolvedRule[] {
  const sorted = [...items].sort(byImportance);
  const conditions = new Map<string, Condition>();
  for (const item of sorted) {
    const c: Condition = item.matches ? { ref: item.entryRef, matches: item.matches } : { ref: item.entryRef };
    conditions.set(conditionKey(c), c);
  }
  return [...conditions.values()].sort(bySpecificity).map((c) => ({
    from: c.ref,
    ...(c.matches ? { matches: c.matches } : {}),
    ...ruleFrom(
      sorted.filter((item) => contributes(item, c)),
      mesh,
      set,
      out,
    ),
  }));
}

function fromItems(policy: MeshAccessLogPolicy): Item[] {
  return policy.from.map((entry, index) => ({
    policy,
    section: policy.fromSections?.[index] ?? 'from',
    index,
    entryRef: entry.targetRef,
    ...(entry.matches && entry.matches.length > 0 ? { matches: entry.matches } : {}),
    conf: entry.default,
  }));
}

/** Gateways carry MeshGatewayRoutes and MeshHTTPRoutes that target them; sidecars, MeshHTTPRoutes. */
function carries(route: RouteResource, proxy: InventoryProxy, inbound: ProxyInbound, set: PolicySet): boolean {
  if (route.mesh !== proxy.mesh) return false;
  if (route.kind === 'MeshGatewayRoute') return proxy.type === 'gateway' && selectsInbound(route.targetRef, proxy, inbound, set);
  if (proxy.type === 'gateway' && route.targetRef.kind !== 'MeshGateway') return false;
  return selectsInbound(route.targetRef, proxy, inbound, set);
}

function routeRules(set: PolicySet, proxy: InventoryProxy, inbound: ProxyInbound, out: Collected): ResolvedRule[] {
  const routes = set.routes.filter((r) => carries(r, proxy, inbound, set)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return routes.flatMap((route: RouteResource) => {
    const items = set.policies.filter((p) => p.mesh === proxy.mesh && p.targetRef.kind === route.kind && p.targetRef.name === route.name).flatMap(fromItems);
    return inboundRulesOf(items, proxy.mesh, set, out).map((rule) => ({ ...rule, route }));
  });
}

function inboundListener(set: PolicySet, proxy: InventoryProxy, inbound: ProxyInbound, out: Collected): ListenerLogConfig {
  const items = set.policies
    .filter((p) => p.mesh === proxy.mesh && !isRouteKind(p.targetRef) && selectsInbound(p.targetRef, proxy, inbound, set))
    .flatMap(fromItems);
  const routes = inbound.protocol === 'http' ? routeRules(set, proxy, inbound, out) : [];
  return {
    direction: 'inbound',
    name: `inbound:${inbound.address}:${inbound.port}`,
    address: inbound.address,
    port: inbound.port,
    protocol: inbound.protocol,
    service: inbound.tags[serviceTag] ?? '',
    tags: inbound.tags,
    rules: [...routes, ...inboundRulesOf(items, proxy.mesh, set, out)],
  };
}

/** The rules for one inbound of a proxy (the pipeline asks per entry's listener). */
export function resolveInbound(set: PolicySet, proxy: InventoryProxy, inbound: ProxyInbound): { listener: ListenerLogConfig; errors: string[] } {
  const out: Collected = { errors: new Set() };
  const listener = inboundListener(set, proxy, inbound, out);
  return { listener, errors: [...out.errors] };
}

export function resolveProxy(set: PolicySet, proxy: InventoryProxy): ProxyLogConfig {
  const out: Collected = { errors: new Set() };
  return {
    proxy,
    inbounds: inboundsOf(proxy, set.gateways).map((inbound) => inboundListener(set, proxy, inbound, out)),
    outbounds: proxy.outbounds.map((o) => {
      const { listener, errors } = resolveOutbound(set, proxy, o);
      for (const e of errors) out.errors.add(e);
      return listener;
    }),
    errors: [...out.errors],
  };
}

/** The destinations a `to` target names, as far as the inventory knows them (labels: every service that has them). */
function destinationsNamed(ref: TargetRef, proxy: InventoryProxy, set: PolicySet): OutboundDestination[] {
  if (ref.kind !== 'MeshService' && ref.kind !== 'MeshExternalService' && ref.kind !== 'MeshMultiZoneService') {
    return ref.kind === 'MeshHTTPRoute'
      ? set.routes
          .filter((r) => r.name === ref.name && r.mesh === proxy.mesh)
          .flatMap((r) => (r.destinations ?? []).flatMap((d) => destinationsNamed(d, proxy, set)))
      : [];
  }
  const named = ref.labels
    ? (set.services ?? []).filter((s) => s.kind === ref.kind && s.mesh === proxy.mesh && hasTags(s.labels, ref.labels))
    : ref.name
      ? [
          serviceResourceOf({ service: ref.name, mesh: proxy.mesh, kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}) }, set) ?? {
            name: ref.name,
            kind: ref.kind,
            ports: [],
          },
        ]
      : [];
  return named.map((s) => {
    const port = ref.sectionName !== undefined ? (s.ports.find((p) => portMatches(p, ref.sectionName!))?.port ?? Number(ref.sectionName)) : undefined;
    return { service: s.name, ...(s.kind !== 'MeshService' ? { kind: s.kind } : {}), ...(port !== undefined && Number.isInteger(port) ? { port } : {}) };
  });
}

/**
 * For `inspect` on a proxy without declared outbounds (discovered from its logs): its outbound
 * rules for each destination a `to` entry names, and for any other service (`outbound:*`), since
 * those are resolved only as traffic is seen.
 */
export function resolveProxyForInspection(set: PolicySet, proxy: InventoryProxy): ProxyLogConfig {
  const config = resolveProxy(set, proxy);
  if (proxy.outbounds.length > 0) return config;
  const destinations = new Map<string, OutboundDestination>();
  for (const policy of set.policies) {
    if (policy.mesh !== proxy.mesh || isRouteKind(policy.targetRef) || !selectsProxy(policy.targetRef, proxy, set)) continue;
    for (const entry of policy.to)
      for (const d of destinationsNamed(entry.targetRef, proxy, set)) destinations.set(`${d.kind ?? ''}/${d.service}:${d.port ?? ''}`, d);
  }
  const errors = new Set(config.errors);
  const sorted = [...destinations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
  const outbounds = [...sorted, { service: '*' }].map((d) => {
    const resolved = resolveOutbound(set, proxy, d);
    for (const e of resolved.errors) errors.add(e);
    return d.port !== undefined ? { ...resolved.listener, name: `outbound:${d.service}:${d.port}` } : resolved.listener;
  });
  return { ...config, outbounds: outbounds.filter((o) => o.rules.length > 0), errors: [...errors] };
}
