/**
 * A `MeshAccessLog` as the policy engine reads it: normalised from either encoding and from both
 * the MADR's and Kuma 2.x's shapes.
 */
import type { Conf, PeerMatch, TargetRef } from '../shared/model.js';

export interface InboundEntry {
  /** Who the traffic comes from; `Mesh` for everyone (Kuma 2.x `rules[]` are `Mesh`). */
  readonly targetRef: TargetRef;
  /** Only from Kuma 2.x `rules[].matches`: any of them must hold. */
  readonly matches?: readonly PeerMatch[];
  readonly default: Conf;
}

export interface OutboundEntry {
  /** Where the traffic goes: `Mesh` or `MeshService`. */
  readonly targetRef: TargetRef;
  readonly default: Conf;
}

export interface MeshAccessLogPolicy {
  readonly name: string;
  readonly mesh: string;
  /** What the policy attaches to; `Mesh` when the resource leaves it out. */
  readonly targetRef: TargetRef;
  /** `spec.from[]`, and Kuma 2.x `spec.rules[]` (as `Mesh` entries with `matches`), in order. */
  readonly from: readonly InboundEntry[];
  readonly to: readonly OutboundEntry[];
  /** Where each entry came from in the resource (`from` or `rules`), index-aligned with `from`. */
  readonly fromSections?: readonly ('from' | 'rules')[];
}
