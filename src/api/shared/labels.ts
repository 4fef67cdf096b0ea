/**
 * Labels as Kuma 2.x targetRefs select resources by them: the resource's own labels plus the ones
 * Kuma sets on every resource it stores (`kuma.io/display-name`, `kuma.io/mesh`), so that
 * `labels: {kuma.io/display-name: backend}` names the resource `backend` as it does in Kuma.
 */
import type { Resource } from '../types.js';

export const displayNameLabel = 'kuma.io/display-name';
export const meshLabel = 'kuma.io/mesh';
export const namespaceLabel = 'k8s.kuma.io/namespace';

export function resourceLabels(r: Pick<Resource, 'name' | 'scope' | 'labels'>, mesh = r.scope): Record<string, string> {
  return { [displayNameLabel]: r.name, ...(mesh ? { [meshLabel]: mesh } : {}), ...r.labels };
}

/** Whether every wanted label is there with that value (no wanted labels: everything). */
export function hasLabels(have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>> | undefined): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) return false;
  return true;
}
