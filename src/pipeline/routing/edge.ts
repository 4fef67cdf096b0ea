/**
 * Who called whom: an entry's direction and both of its ends, from what the entry and its proxy
 * say. docs/concepts.md ("Which way traffic went") states these rules for users.
 *
 * Direction, first that answers: the `log_name` of meshlog's rendered config
 * (`meshlog:inbound:…`), the upstream cluster's name (Istio `inbound|…` / `outbound|…`, Kuma
 * `localhost:PORT` / service names), then the downstream local address (the proxy's own IP:
 * inbound; anything else, such as a service VIP: outbound). The reporting proxy is the
 * destination of inbound calls and the source of outbound ones; the other end is the proxy that has
 * the peer's IP when it reports to meshlog too, else what its certificate or the cluster name says.
 */
import { parseLogName } from '../../envoy/log-name.js';
import type { SocketAddr } from '../../envoy/wire-scan.js';
import { type Direction, type EntryEnd, unknownEnd } from '../../model/entry.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import { type ClusterHint, parseClusterName } from './cluster-names.js';
import { parseSpiffe } from './peer-identity.js';

export interface Edge {
  readonly direction: Direction | null;
  readonly source: EntryEnd;
  readonly destination: EntryEnd;
}

export type ProxyByIp = (ip: string) => ProxyIdentity | undefined;

/** What an entry says about its ends; the wire scan (`EntryScan`) gives exactly this. */
export interface EdgeFacts {
  readonly upstreamCluster: string | null;
  readonly authority: string | null;
  readonly downstreamLocal: SocketAddr | null;
  readonly downstreamRemote: SocketAddr | null;
  readonly downstreamDirectRemote: SocketAddr | null;
  readonly upstreamRemote: SocketAddr | null;
  readonly peerUris: readonly string[] | null;
}

/** The direction by the first rule that answers; null when none does. */
export function directionOf(identity: ProxyIdentity, hint: ClusterHint | undefined, localIp: string | undefined, proxyIp: string): Direction | null {
  const named = parseLogName(identity.logName);
  if (named?.kind === 'listener') return named.direction;
  if (hint) return hint.direction;
  if (localIp && proxyIp) return localIp === proxyIp ? 'inbound' : 'outbound';
  return null;
}

export function entryEdge(identity: ProxyIdentity, facts: EdgeFacts, proxyByIp: ProxyByIp | undefined): Edge {
  const hint = parseClusterName(facts.upstreamCluster);
  const local = facts.downstreamLocal;
  const direction = directionOf(identity, hint, local?.address, identity.ip);
  if (direction === null) return { direction, source: unknownEnd, destination: unknownEnd };
  const self = ownEnd(identity);
  if (direction === 'inbound') {
    const remote = facts.downstreamDirectRemote ?? facts.downstreamRemote;
    return { direction, source: peerEnd(remote, proxyByIp, facts.peerUris), destination: { ...self, port: local?.port || hint?.port || null } };
  }
  const upstream = facts.upstreamRemote;
  const peer = upstream?.address ? proxyByIp?.(upstream.address) : undefined;
  const named = hint ? namedBy(hint) : undefined;
  const service = named?.service ?? authorityHost(facts.authority);
  return {
    direction,
    source: self,
    destination: {
      ...(peer ? ownEnd(peer) : unknownEnd),
      ip: upstream?.address || null,
      port: upstream?.port || hint?.port || null,
      service,
      namespace: peer?.workload.namespace || named?.namespace || null,
    },
  };
}

/** A proxy's own end, once per identity: every entry of a stream shares it. */
const ownEnds = new WeakMap<ProxyIdentity, EntryEnd>();

function ownEnd(identity: ProxyIdentity): EntryEnd {
  let end = ownEnds.get(identity);
  if (!end) {
    const w = identity.workload;
    end = { cluster: w.clusterName || null, namespace: w.namespace || null, workload: w.name || null, ip: identity.ip || null, port: null, service: null };
    ownEnds.set(identity, end);
  }
  return end;
}

/** The caller of an inbound request: a proxy that reports from that IP, else its SPIFFE id. */
function peerEnd(remote: SocketAddr | null, proxyByIp: ProxyByIp | undefined, peerUris: readonly string[] | null): EntryEnd {
  const at = { ip: remote?.address || null, port: remote?.port || null };
  const reporting = remote?.address ? proxyByIp?.(remote.address) : undefined;
  if (reporting) return { ...ownEnd(reporting), ...at };
  for (const uri of peerUris ?? []) {
    const spiffe = parseSpiffe(uri);
    // Istio names a namespace and a service account; Kuma names the service.
    if (spiffe) return { ...unknownEnd, ...at, namespace: spiffe.namespace ?? null, service: spiffe.namespace ? null : (spiffe.service ?? null) };
  }
  return { ...unknownEnd, ...at };
}

/** The service and namespace a cluster names, worked out once per (cached) hint. */
const namedByHint = new WeakMap<ClusterHint, { readonly service: string | null; readonly namespace: string | null }>();

function namedBy(hint: ClusterHint): { readonly service: string | null; readonly namespace: string | null } {
  let named = namedByHint.get(hint);
  if (!named) {
    named = { service: serviceOf(hint), namespace: namespaceOfHost(hint.host) ?? null };
    namedByHint.set(hint, named);
  }
  return named;
}

/** `ratings.bookinfo.svc.cluster.local` → `ratings.bookinfo`; a Kuma service name as it is. */
function serviceOf(hint: ClusterHint | undefined): string | null {
  if (hint?.host) return hint.host.replace(/\.svc(\.cluster\.local)?$/, '');
  return hint?.service ?? null;
}

function namespaceOfHost(host: string | undefined): string | undefined {
  const m = host ? /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(host) : null;
  return m?.[1];
}

function authorityHost(authority: string | null): string | null {
  if (!authority) return null;
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0]!;
  return host.replace(/\.svc(\.cluster\.local)?$/, '') || null;
}
