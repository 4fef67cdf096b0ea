import type { InventoryProxy, ProxyInbound } from '../api/dataplane/model.js';
import type { TargetRef, TargetRefKind } from '../api/shared/model.js';
/**
 * What a `targetRef` selects, how specific it is, and whether one target contains another.
 *
 * Specificity follows Kuma's `TargetRefKind.Compare` for the kinds the MADR keeps:
 * `Mesh < MeshSubset < MeshService < MeshServiceSubset < MeshGatewayRoute = MeshHTTPRoute`;
 * between two subsets of one kind, more tags rank higher (as Kuma 2.14 does for gateways).
 */

export const serviceTag = 'kuma.io/service';

const kindRank: Readonly<Record<TargetRefKind, number>> = {
  Mesh: 1,
  MeshSubset: 2,
  MeshService: 3,
  MeshServiceSubset: 4,
  MeshGatewayRoute: 5,
  MeshHTTPRoute: 5,
};

export function rankOf(ref: TargetRef): number {
  return kindRank[ref.kind];
}

/** Negative when `a` is less specific than `b`: kind first, then the number of tags. */
export function compareSpecificity(a: TargetRef, b: TargetRef): number {
  return rankOf(a) - rankOf(b) || tagCount(a) - tagCount(b);
}

function tagCount(ref: TargetRef): number {
  return ref.tags ? Object.keys(ref.tags).length : 0;
}

function hasTags(have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>> | undefined): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) return false;
  return true;
}

/** Whether a (non-route) target selects a set of tags: an inbound's, a gateway's, a caller's. */
export function selectsTags(ref: TargetRef, tags: Readonly<Record<string, string>>): boolean {
  switch (ref.kind) {
    case 'Mesh':
      return true;
    case 'MeshSubset':
      return hasTags(tags, ref.tags);
    case 'MeshService':
      return tags[serviceTag] === ref.name;
    case 'MeshServiceSubset':
      return tags[serviceTag] === ref.name && hasTags(tags, ref.tags);
    case 'MeshGatewayRoute':
    case 'MeshHTTPRoute':
      return false;
  }
}

export function selectsInbound(ref: TargetRef, inbound: ProxyInbound): boolean {
  return selectsTags(ref, inbound.tags);
}

/** A proxy as a whole (for its outbounds): `Mesh`, or any of its inbounds (or its gateway) selected. */
export function selectsProxy(ref: TargetRef, proxy: InventoryProxy): boolean {
  if (ref.kind === 'Mesh') return true;
  if (proxy.gatewayTags && selectsTags(ref, proxy.gatewayTags)) return true;
  return proxy.inbounds.some((inbound) => selectsTags(ref, inbound.tags));
}

/**
 * Whether every caller `inner` describes is also described by `outer` (so an entry for `outer`
 * contributes to the rule for `inner`). Route kinds contain only themselves.
 */
export function contains(outer: TargetRef, inner: TargetRef): boolean {
  switch (outer.kind) {
    case 'Mesh':
      return inner.kind !== 'MeshGatewayRoute' && inner.kind !== 'MeshHTTPRoute';
    case 'MeshSubset':
      return (inner.kind === 'MeshSubset' || inner.kind === 'MeshServiceSubset') && hasTags(inner.tags ?? {}, outer.tags);
    case 'MeshService':
      return (inner.kind === 'MeshService' || inner.kind === 'MeshServiceSubset') && inner.name === outer.name;
    case 'MeshServiceSubset':
      return inner.kind === 'MeshServiceSubset' && inner.name === outer.name && hasTags(inner.tags ?? {}, outer.tags);
    case 'MeshGatewayRoute':
    case 'MeshHTTPRoute':
      return inner.kind === outer.kind && inner.name === outer.name;
  }
}

/** A stable key for a target, used to group entries that name the same callers. */
export function targetKey(ref: TargetRef): string {
  const tags = ref.tags ? Object.entries(ref.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return JSON.stringify([ref.kind, ref.name ?? '', tags]);
}

/** `MeshService web`, `MeshSubset {kuma.io/zone: a}`: for messages and `inspect`. */
export function describeTarget(ref: TargetRef): string {
  const tags = ref.tags && Object.keys(ref.tags).length ? ` {${Object.entries(ref.tags).map(([k, v]) => `${k}: ${v}`).join(', ')}}` : '';
  return `${ref.kind}${ref.name && ref.kind !== 'Mesh' ? ` ${ref.name}` : ''}${tags}`;
}
