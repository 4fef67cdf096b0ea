/**
 * `MeshAccessLog` on live traffic: for each entry, which way it went, which listener of its proxy
 * it belongs to, which resolved rule applies, and the context the formatter needs (Kuma's
 * placeholders). Resolution is done by the policy engine once per (proxy, listener) and cached
 * until the policies change; per entry only the classification and the rule predicates run.
 *
 * Direction, first that answers: the `log_name` meshlog's rendered config gives
 * (`meshlog:inbound:…` / `meshlog:outbound:…`), the upstream cluster's name (Istio
 * `inbound|…` / `outbound|…`, Kuma `localhost:PORT` / service names), then the downstream local
 * address (the proxy's own IP: inbound; anything else, such as a service VIP: outbound).
 */

import type { InventoryProxy, ProxyInbound } from '../../api/dataplane/model.js';
import { formatAddress, socketAddressParts } from '../../envoy/entry-fields.js';
import { commonOf } from '../../format/als-entry.js';
import type { FormatContext, TrafficDirection } from '../../format/types.js';
import type { DecodedEntry, EntryKind } from '../../model/entry.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { discoveredProxy, discoveredTags } from '../../policy/inventory.js';
import type { OutboundDestination } from '../../policy/resolve.js';
import { resolveInbound, resolveOutbound } from '../../policy/resolve.js';
import { inboundsOf } from '../../policy/selection.js';
import { serviceTag } from '../../policy/target-ref.js';
import type { ListenerLogConfig, PolicySet, ResolvedRule } from '../../policy/types.js';
import { type ClusterHint, parseClusterName } from './cluster-names.js';
import { directionOf } from './edge.js';
import { parseSpiffe } from './peer-identity.js';
import { compileFiltering, compileRuleCondition, type Peer, type RulePredicate } from './rule-conditions.js';

export interface RoutedEntry {
  readonly rule: ResolvedRule;
  readonly context: FormatContext;
}

export interface PolicyRouter {
  /** True while no `MeshAccessLog` policy exists: the pipeline skips routing altogether. */
  readonly empty: boolean;
  setPolicies(set: PolicySet, declared: readonly InventoryProxy[]): void;
  /** The rule that applies to the entry and passes its filtering, or null. */
  route(identity: ProxyIdentity, kind: EntryKind, entry: DecodedEntry): RoutedEntry | null;
  /** Problems found while resolving (dangling references), deduplicated. */
  errors(): readonly string[];
}

interface CompiledRule {
  readonly rule: ResolvedRule;
  readonly condition: RulePredicate;
  readonly filter: ((entry: DecodedEntry) => boolean) | null;
}

interface CompiledListener {
  readonly listener: ListenerLogConfig;
  readonly rules: readonly CompiledRule[];
  /** The formatter's view of the proxy on this listener; the same for every entry. */
  readonly proxyContext: FormatContext['proxy'];
}

/** Listeners resolved per proxy at most; past it that proxy's cache starts over (many distinct destinations). */
const maxCachedListeners = 10_000;

/** What is resolved for one ALS identity, until the policies change. */
interface ProxyState {
  readonly proxy: InventoryProxy;
  readonly inbound: Map<number, CompiledListener>;
  readonly outbound: Map<string, CompiledListener>;
}

export interface PolicyRouterOptions {
  /** The proxy that has this IP, when it also reports to meshlog (names the caller of inbound traffic). */
  readonly proxyByIp?: (ip: string) => ProxyIdentity | undefined;
}

export function createPolicyRouter(options: PolicyRouterOptions = {}): PolicyRouter {
  let set: PolicySet = { policies: [], backends: [], routes: [] };
  let declaredById = new Map<string, InventoryProxy>();
  let declaredByIp = new Map<string, InventoryProxy>();
  let states = new WeakMap<ProxyIdentity, ProxyState>();
  const callerTags = new WeakMap<ProxyIdentity, Readonly<Record<string, string>>>();
  const errors = new Set<string>();

  const stateFor = (identity: ProxyIdentity): ProxyState => {
    let state = states.get(identity);
    if (!state) {
      const discovered = discoveredProxy(identity);
      state = { proxy: declaredById.get(discovered.id) ?? discovered, inbound: new Map(), outbound: new Map() };
      states.set(identity, state);
    }
    return state;
  };

  const compiled = <K>(
    cache: Map<K, CompiledListener>,
    key: K,
    identity: ProxyIdentity,
    resolve: () => { listener: ListenerLogConfig; errors: string[] },
  ): CompiledListener => {
    let found = cache.get(key);
    if (!found) {
      if (cache.size >= maxCachedListeners) cache.clear();
      const { listener, errors: problems } = resolve();
      for (const e of problems) errors.add(e);
      const proxy = stateFor(identity).proxy;
      found = {
        listener,
        rules: listener.rules.map((rule) => ({ rule, condition: compileRuleCondition(rule), filter: compileFiltering(rule.filtering) })),
        proxyContext: {
          mesh: proxy.mesh,
          ...(proxy.zone ? { zone: proxy.zone } : {}),
          service: listener.direction === 'outbound' ? ownService(proxy) : listener.service,
          address: proxy.address,
          workload: identity.workload.name,
        },
      };
      cache.set(key, found);
    }
    return found;
  };

  const peerTags = (entry: DecodedEntry, address: string | undefined): Readonly<Record<string, string>> | undefined => {
    if (address) {
      const declared = declaredByIp.get(address);
      if (declared) return inboundsOf(declared, set.gateways)[0]?.tags;
      const reporting = options.proxyByIp?.(address);
      if (reporting) {
        let tags = callerTags.get(reporting);
        if (!tags) callerTags.set(reporting, (tags = discoveredTags(reporting)));
        return tags;
      }
    }
    const sans = commonOf(entry)?.tlsProperties?.peerCertificateProperties?.subjectAltName ?? [];
    for (const san of sans) {
      const spiffe = parseSpiffe(san.uri);
      if (spiffe?.service) return { [serviceTag]: spiffe.service };
    }
    return undefined;
  };

  return {
    get empty() {
      return set.policies.length === 0;
    },
    setPolicies(next, declared) {
      set = next;
      declaredById = new Map(declared.map((p) => [p.id, p]));
      declaredByIp = new Map(declared.filter((p) => p.address).map((p) => [p.address, p]));
      states = new WeakMap();
      errors.clear();
    },
    errors: () => [...errors],
    route(identity, kind, entry) {
      if (set.policies.length === 0) return null;
      const state = stateFor(identity);
      const proxy = state.proxy;
      const common = commonOf(entry);
      const hint = parseClusterName(common?.upstreamCluster);
      // The local address is read only when the cluster name leaves the direction or the inbound open.
      const local = hint ? null : socketAddressParts(common?.downstreamLocalAddress);
      const direction: TrafficDirection = directionOf(identity, hint, local?.address, proxy.address) ?? 'unspecified';
      let target: CompiledListener;
      let peer: Peer;
      if (direction === 'outbound') {
        const service = hint?.service ?? (common?.upstreamCluster || authorityService(entry) || 'unknown');
        const key =
          hint?.kind || hint?.section || hint?.port ? `${hint.kind ?? ''}/${hint.namespace ?? ''}/${service}:${hint.section ?? hint.port ?? ''}` : service;
        target = compiled(state.outbound, key, identity, () =>
          resolveOutbound(set, proxy, { service, protocol: kind === 'http' ? 'http' : 'tcp', ...destinationOf(hint) }),
        );
        peer = { service, address: formatAddress(common?.upstreamRemoteAddress, true) ?? undefined };
      } else {
        const port = (local ?? socketAddressParts(common?.downstreamLocalAddress))?.port ?? hint?.port;
        const inbound = inboundFor(proxy, port, set.gateways);
        if (!inbound) return null;
        target = compiled(state.inbound, inbound.port, identity, () => resolveInbound(set, proxy, inbound));
        const remote = socketAddressParts(common?.downstreamDirectRemoteAddress) ?? socketAddressParts(common?.downstreamRemoteAddress);
        const tags = peerTags(entry, remote?.address);
        peer = { tags, service: tags?.[serviceTag], address: remote ? `${remote.address}:${remote.port}` : undefined };
      }
      const rules = target.rules;
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i]!;
        if (!r.condition(entry, peer)) continue;
        // The first rule whose conditions hold decides; its filtering may still drop the entry.
        if (r.filter && !r.filter(entry)) return null;
        if (r.rule.backends.length === 0) return null;
        const context: FormatContext = { kind, proxy: target.proxyContext, direction, peer };
        return { rule: r.rule, context };
      }
      return null;
    },
  };
}

/** What a cluster name says about the destination beyond its name: its kind, namespace and port. */
function destinationOf(hint: ClusterHint | undefined): Partial<OutboundDestination> {
  if (!hint) return {};
  return {
    ...(hint.kind ? { kind: hint.kind } : {}),
    ...(hint.namespace ? { namespace: hint.namespace } : {}),
    ...(hint.port ? { servicePort: hint.port } : {}),
    ...(hint.section ? { section: hint.section } : {}),
  };
}

/** The inbound whose port (or service port) took the request; else the only or first one. */
function inboundFor(proxy: InventoryProxy, port: number | undefined, gateways: PolicySet['gateways']): ProxyInbound | undefined {
  const inbounds = inboundsOf(proxy, gateways);
  if (port !== undefined) {
    const byPort = inbounds.find((i) => i.port === port || i.servicePort === port);
    if (byPort) return byPort;
  }
  return inbounds[0];
}

function ownService(proxy: InventoryProxy): string | undefined {
  return inboundsOf(proxy)[0]?.tags[serviceTag];
}

function authorityService(entry: DecodedEntry): string | undefined {
  const authority = (entry['request'] as { authority?: string } | undefined)?.authority;
  return authority ? authority.split(':')[0]!.split('.')[0] : undefined;
}
