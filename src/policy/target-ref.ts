import type { TargetRef, TargetRefKind } from '../api/shared/model.js';
/**
 * How specific a `targetRef` is, whether one caller target contains another, and what a target
 * of tags (`Mesh`, `MeshSubset`, `MeshService`, `MeshServiceSubset`) selects; which proxies,
 * inbounds and destinations every kind selects against the inventory is `selection.ts`.
 *
 * Specificity follows Kuma 2.14's `TargetRefKind.Compare`:
 * `Mesh < Dataplane < MeshSubset < MeshGateway < MeshService < MeshExternalService <
 * MeshMultiZoneService < MeshServiceSubset < MeshHTTPRoute` (`MeshGatewayRoute`, the MADR's,
 * ranks with `MeshHTTPRoute`); then a ref with a `sectionName` above one without; then, between
 * two targets of one kind, more tags rank higher (as Kuma 2.14 does for gateways).
 */

export const serviceTag = 'kuma.io/service';

const kindRank: Readonly<Record<TargetRefKind, number>> = {
  Mesh: 1,
  Dataplane: 2,
  MeshSubset: 3,
  MeshGateway: 4,
  MeshService: 5,
  MeshExternalService: 6,
  MeshMultiZoneService: 7,
  MeshServiceSubset: 8,
  MeshGatewayRoute: 9,
  MeshHTTPRoute: 9,
};

export function rankOf(ref: TargetRef): number {
  return kindRank[ref.kind];
}

/** Negative when `a` is less specific than `b`: kind, then `sectionName`, then the number of tags. */
export function compareSpecificity(a: TargetRef, b: TargetRef): number {
  return rankOf(a) - rankOf(b) || Number(a.sectionName !== undefined) - Number(b.sectionName !== undefined) || tagCount(a) - tagCount(b);
}

function tagCount(ref: TargetRef): number {
  return ref.tags ? Object.keys(ref.tags).length : 0;
}

export function hasTags(have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>> | undefined): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) return false;
  return true;
}

/**
 * Whether a target of tags selects a set of tags: an inbound's, a gateway's, a caller's. Kinds
 * that name resources (dataplanes, gateways, services, routes) need the inventory: not here.
 */
export function selectsTags(ref: TargetRef, tags: Readonly<Record<string, string>>): boolean {
  switch (ref.kind) {
    case 'Mesh':
      return true;
    case 'MeshSubset':
      return hasTags(tags, ref.tags);
    case 'MeshService':
      return ref.name !== undefined && tags[serviceTag] === ref.name && hasTags(tags, ref.tags);
    case 'MeshServiceSubset':
      return tags[serviceTag] === ref.name && hasTags(tags, ref.tags);
    default:
      return false;
  }
}

/**
 * Whether every caller `inner` describes is also described by `outer` (so an entry for `outer`
 * contributes to the rule for `inner`). Kinds of resources contain only themselves.
 */
export function contains(outer: TargetRef, inner: TargetRef): boolean {
  switch (outer.kind) {
    case 'Mesh':
      return inner.kind === 'Mesh' || inner.kind === 'MeshSubset' || inner.kind === 'MeshService' || inner.kind === 'MeshServiceSubset';
    case 'MeshSubset':
      return (inner.kind === 'MeshSubset' || inner.kind === 'MeshServiceSubset') && hasTags(inner.tags ?? {}, outer.tags);
    case 'MeshService':
      return (inner.kind === 'MeshService' || inner.kind === 'MeshServiceSubset') && inner.name === outer.name;
    case 'MeshServiceSubset':
      return inner.kind === 'MeshServiceSubset' && inner.name === outer.name && hasTags(inner.tags ?? {}, outer.tags);
    default:
      return targetKey(inner) === targetKey(outer);
  }
}

const sortedEntries = (m: Readonly<Record<string, string>> | undefined) => (m ? Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : []);

/** A stable key for a target, used to group entries that name the same callers. */
export function targetKey(ref: TargetRef): string {
  return JSON.stringify([
    ref.kind,
    ref.name ?? '',
    ref.namespace ?? '',
    sortedEntries(ref.tags),
    sortedEntries(ref.labels),
    ref.sectionName ?? '',
    ref.proxyTypes ?? [],
  ]);
}

const mapText = (m: Readonly<Record<string, string>> | undefined) =>
  m && Object.keys(m).length
    ? `{${Object.entries(m)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}}`
    : undefined;

/** `MeshService web`, `MeshSubset {kuma.io/zone: a}`, `Dataplane labels {app: web} section http`: for messages and `inspect`. */
export function describeTarget(ref: TargetRef): string {
  const parts: string[] = [ref.kind];
  if (ref.name && ref.kind !== 'Mesh') parts.push(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
  const tags = mapText(ref.tags);
  if (tags) parts.push(tags);
  const labels = mapText(ref.labels);
  if (labels) parts.push(`labels ${labels}`);
  if (ref.sectionName) parts.push(`section ${ref.sectionName}`);
  if (ref.proxyTypes?.length) parts.push(`proxyTypes ${ref.proxyTypes.join(', ')}`);
  return parts.join(' ');
}
