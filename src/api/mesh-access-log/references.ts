/**
 * Where a MeshAccessLog references backend resources, with the field path of each reference, so
 * that deleting a backend still in use can name every place that uses it.
 */

import type { BackendReference, Conf, OtelBackendReference } from '../shared/model.js';
import type { Resource } from '../types.js';
import { normalizeMeshAccessLog } from './normalize.js';

export interface BackendReferenceSite {
  /** `spec.from[0].default.backends[1]`. */
  readonly path: string;
  readonly reference: BackendReference | OtelBackendReference;
}

export function backendReferenceSites(policy: Resource): BackendReferenceSite[] {
  const p = normalizeMeshAccessLog(policy);
  const sites: BackendReferenceSite[] = [];
  const counters = { from: 0, rules: 0 };
  p.from.forEach((entry, i) => {
    const section = p.fromSections?.[i] ?? 'from';
    collect(entry.default, `spec.${section}[${counters[section]++}].default.backends`, sites);
  });
  p.to.forEach((entry, i) => {
    collect(entry.default, `spec.to[${i}].default.backends`, sites);
  });
  return sites;
}

function collect(conf: Conf, path: string, sites: BackendReferenceSite[]): void {
  conf.backends?.forEach((b, j) => {
    if (b.type === 'reference') sites.push({ path: `${path}[${j}]`, reference: b });
  });
}
