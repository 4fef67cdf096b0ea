/**
 * A validated MeshAccessLog as the policy engine reads it: `targetRef` defaulted to `Mesh`,
 * Kuma 2.x `rules` as inbound `Mesh` entries with their matches, every backend and format in one shape.
 */
import { normalizeConf, normalizeTargetRef } from '../shared/index.js';
import type { PeerMatch } from '../shared/model.js';
import type { Resource } from '../types.js';
import type { InboundEntry, MeshAccessLogPolicy, OutboundEntry } from './model.js';
import type { MeshAccessLogSpec } from './schema.js';

type PeerMatchSpec = NonNullable<NonNullable<MeshAccessLogSpec['rules']>[number]['matches']>[number];

export function normalizeMeshAccessLog(r: Resource): MeshAccessLogPolicy {
  const spec = r.spec as MeshAccessLogSpec;
  const from: InboundEntry[] = [];
  const fromSections: ('from' | 'rules')[] = [];
  for (const entry of spec.from ?? []) {
    from.push({ targetRef: normalizeTargetRef(entry.targetRef), default: normalizeConf(entry.default) });
    fromSections.push('from');
  }
  for (const rule of spec.rules ?? []) {
    const matches = (rule.matches ?? []).map(normalizePeerMatch);
    from.push({ targetRef: { kind: 'Mesh' }, ...(matches.length > 0 ? { matches } : {}), default: normalizeConf(rule.default) });
    fromSections.push('rules');
  }
  const to: OutboundEntry[] = (spec.to ?? []).map((entry) => ({ targetRef: normalizeTargetRef(entry.targetRef), default: normalizeConf(entry.default) }));
  return { name: r.name, mesh: r.scope, targetRef: normalizeTargetRef(spec.targetRef), from, to, fromSections };
}

function normalizePeerMatch(m: PeerMatchSpec): PeerMatch {
  return {
    ...(m.spiffeID ? { spiffeID: { type: m.spiffeID.type, value: m.spiffeID.value } } : {}),
    ...(m.sni ? { sni: { type: m.sni.type, value: m.sni.value } } : {}),
  };
}
