/**
 * For one proxy: which `MeshAccessLog` entries apply to each inbound and outbound, merged by
 * Kuma's rules, with every backend reference resolved. Pure; feeds `inspect`, `render` and the
 * pipeline alike.
 *
 * Order of importance (later wins when confs merge): the policy's top-level target (kind, then
 * number of tags), then the policy name descending (so the lexicographically smallest name wins),
 * then the entry's own target, then the entry's position in the policy.
 *
 * Inbound: each distinct caller target (`from`) becomes a rule whose conf merges every entry whose
 * target contains those callers (a `Mesh` entry contributes to the rule for `MeshService web`).
 * Rules are ordered most specific first and the first that matches a request applies. Policies
 * that target a route replace the listener's conf for the requests that route takes.
 * Outbound: the `to` entries naming `Mesh` or the destination service merge into one rule.
 */
import { resolveBackends } from './backends.js';
import { mergeConfs } from './merge.js';
import { compareSpecificity, contains, rankOf, selectsInbound, selectsProxy, selectsTags, serviceTag, targetKey } from './target-ref.js';
import type { ListenerLogConfig, MatchedPolicy, PolicySet, ProxyLogConfig, ResolvedRule } from './types.js';
import type { Conf, PeerMatch, TargetRef } from '../api/shared/model.js';
import type { InventoryProxy, ProxyInbound } from '../api/dataplane/model.js';
import type { MeshAccessLogPolicy } from '../api/mesh-access-log/model.js';
import type { RouteResource } from '../api/mesh-http-route/model.js';

interface Item {
  readonly policy: MeshAccessLogPolicy;
  readonly section: 'from' | 'to' | 'rules';
  readonly index: number;
  readonly entryRef: TargetRef;
  readonly matches?: readonly PeerMatch[];
  readonly conf: Conf;
}

/** Least important first. */
function byImportance(a: Item, b: Item): number {
  return (
    compareSpecificity(a.policy.targetRef, b.policy.targetRef) ||
    (a.policy.name < b.policy.name ? 1 : a.policy.name > b.policy.name ? -1 : 0) ||
    rankOf(a.entryRef) - rankOf(b.entryRef) ||
    a.index - b.index
  );
}

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
  return compareSpecificity(b.ref, a.ref) || matchWeight(b) - matchWeight(a);
}

function matchWeight(c: Condition): number {
  if (!c.matches) return 0;
  const m = c.matches[0];
  return m?.spiffeID?.type === 'Exact' ? 3 : m?.spiffeID ? 2 : 1;
}

interface Collected {
  readonly errors: Set<string>;
}

function policyPath(item: Item): string {
  return `MeshAccessLog ${item.policy.mesh}/${item.policy.name} spec.${item.section}[${item.index}].default.backends`;
}

function ruleFrom(items: readonly Item[], mesh: string, set: PolicySet, out: Collected): Omit<ResolvedRule, 'from' | 'matches' | 'route'> {
  const conf = mergeConfs(items.map((i) => i.conf));
  const owner = [...items].reverse().find((i) => i.conf.backends !== undefined);
  const { backends, errors } = owner ? resolveBackends(conf.backends ?? [], mesh, set.backends, policyPath(owner)) : { backends: [], errors: [] };
  for (const e of errors) out.errors.add(e);
  const policies: MatchedPolicy[] = items.map((i) => ({
    policy: i.policy.name,
    mesh: i.policy.mesh,
    section: i.section,
    index: i.index,
    targetRef: i.policy.targetRef,
    entryTargetRef: i.entryRef,
  }));
  return { backends, ...(conf.filtering ? { filtering: conf.filtering } : {}), policies };
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

function isRouteKind(ref: TargetRef): boolean {
  return ref.kind === 'MeshHTTPRoute' || ref.kind === 'MeshGatewayRoute';
}

function routeRules(set: PolicySet, proxy: InventoryProxy, tags: Readonly<Record<string, string>>, out: Collected): ResolvedRule[] {
  const routeKind = proxy.type === 'gateway' ? 'MeshGatewayRoute' : 'MeshHTTPRoute';
  const routes = set.routes
    .filter((r) => r.kind === routeKind && r.mesh === proxy.mesh && selectsTags(r.targetRef, tags))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return routes.flatMap((route: RouteResource) => {
    const items = set.policies
      .filter((p) => p.mesh === proxy.mesh && p.targetRef.kind === route.kind && p.targetRef.name === route.name)
      .flatMap(fromItems);
    return inboundRulesOf(items, proxy.mesh, set, out).map((rule) => ({ ...rule, route }));
  });
}

function inboundListener(set: PolicySet, proxy: InventoryProxy, inbound: ProxyInbound, out: Collected): ListenerLogConfig {
  const items = set.policies
    .filter((p) => p.mesh === proxy.mesh && !isRouteKind(p.targetRef) && selectsInbound(p.targetRef, inbound))
    .flatMap(fromItems);
  const routes = inbound.protocol === 'http' ? routeRules(set, proxy, inbound.tags, out) : [];
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

function outboundRules(set: PolicySet, proxy: InventoryProxy, service: string, out: Collected): ResolvedRule[] {
  const items: Item[] = [];
  for (const policy of set.policies) {
    if (policy.mesh !== proxy.mesh || isRouteKind(policy.targetRef) || !selectsProxy(policy.targetRef, proxy)) continue;
    policy.to.forEach((entry, index) => {
      const ref = entry.targetRef;
      if (ref.kind === 'Mesh' || (ref.kind === 'MeshService' && ref.name === service)) {
        items.push({ policy, section: 'to', index, entryRef: ref, conf: entry.default });
      }
    });
  }
  if (items.length === 0) return [];
  return [ruleFrom(items.sort(byImportance), proxy.mesh, set, out)];
}

/**
 * The inbounds a proxy's policies attach to: its declared inbounds, or for a gateway without any,
 * its gateway listener (whose ports come from `MeshGateway`, which meshlog does not model).
 */
export function inboundsOf(proxy: InventoryProxy): readonly ProxyInbound[] {
  if (proxy.type === 'gateway' && proxy.inbounds.length === 0) return [{ port: 0, address: proxy.address, tags: proxy.gatewayTags ?? {}, protocol: 'http' }];
  return proxy.inbounds;
}

/** The rules for one inbound of a proxy (the pipeline asks per entry's listener). */
export function resolveInbound(set: PolicySet, proxy: InventoryProxy, inbound: ProxyInbound): { listener: ListenerLogConfig; errors: string[] } {
  const out: Collected = { errors: new Set() };
  const listener = inboundListener(set, proxy, inbound, out);
  return { listener, errors: [...out.errors] };
}

/** The rules for traffic from a proxy to a destination service, declared as an outbound or not. */
export function resolveOutbound(
  set: PolicySet,
  proxy: InventoryProxy,
  destination: { service: string; port?: number; address?: string; protocol?: 'http' | 'tcp'; tags?: Readonly<Record<string, string>> },
): { listener: ListenerLogConfig; errors: string[] } {
  const out: Collected = { errors: new Set() };
  const port = destination.port ?? 0;
  const listener: ListenerLogConfig = {
    direction: 'outbound',
    name: destination.address ? `outbound:${destination.address}:${port}` : `outbound:${destination.service}`,
    address: destination.address ?? '',
    port,
    protocol: destination.protocol ?? 'http',
    service: destination.service,
    tags: destination.tags ?? { [serviceTag]: destination.service },
    rules: outboundRules(set, proxy, destination.service, out),
  };
  return { listener, errors: [...out.errors] };
}

export function resolveProxy(set: PolicySet, proxy: InventoryProxy): ProxyLogConfig {
  const out: Collected = { errors: new Set() };
  return {
    proxy,
    inbounds: inboundsOf(proxy).map((inbound) => inboundListener(set, proxy, inbound, out)),
    outbounds: proxy.outbounds.map((o) => {
      const { listener, errors } = resolveOutbound(set, proxy, o);
      for (const e of errors) out.errors.add(e);
      return listener;
    }),
    errors: [...out.errors],
  };
}

/**
 * For `inspect` on a proxy without declared outbounds (discovered from its logs): its outbound
 * rules for each service a `to` entry names, and for any other service (`outbound:*`), since
 * those are resolved only as traffic is seen.
 */
export function resolveProxyForInspection(set: PolicySet, proxy: InventoryProxy): ProxyLogConfig {
  const config = resolveProxy(set, proxy);
  if (proxy.outbounds.length > 0) return config;
  const services = new Set<string>();
  for (const policy of set.policies) {
    if (policy.mesh !== proxy.mesh || isRouteKind(policy.targetRef) || !selectsProxy(policy.targetRef, proxy)) continue;
    for (const entry of policy.to) if (entry.targetRef.kind === 'MeshService' && entry.targetRef.name) services.add(entry.targetRef.name);
  }
  const errors = new Set(config.errors);
  const outbounds = [...[...services].sort(), '*'].map((service) => {
    const resolved = resolveOutbound(set, proxy, { service });
    for (const e of resolved.errors) errors.add(e);
    return resolved.listener;
  });
  return { ...config, outbounds: outbounds.filter((o) => o.rules.length > 0), errors: [...errors] };
}
