import type { Conf } from '../api/shared/model.js';

/**
 * Merging policy confs the way Kuma does: RFC 7396 JSON merge patch, applied in priority order.
 * Objects merge key by key (so `filtering.headers` merges per header); lists are replaced whole,
 * so the winning entry's `backends` replaces the list rather than adding to it.
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7396: `patch` applied to `target`; neither is modified. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Confs from least to most important; the result is what the last one leaves. */
export function mergeConfs(confs: readonly Conf[]): Conf {
  let merged: Json = {};
  for (const conf of confs) merged = mergePatch(merged, conf);
  return merged as Conf;
}
