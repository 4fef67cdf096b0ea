/**
 * Checking a set of resources for backend references that resolve to nothing (or, by name, to two
 * backends), before they are applied: what `meshlog validate` reports across the files it is
 * given. A reference is an error when the resources hold backends of the kind it could name in
 * its scope (they are then taken to be all there are), and a warning otherwise: its backend may be
 * applied separately, and the engine reports it if it never is.
 */

import type { LoadedResource } from '../api/load-yaml.js';
import { backendReferenceSites } from '../api/mesh-access-log/index.js';
import type { Resource } from '../api/types.js';
import { describeOtelRef, findOtelBackends, findReferencedBackends } from './backends.js';
import { buildPolicyContext } from './policy-context.js';

export interface ReferenceProblem {
  /** The policy that holds the reference. */
  readonly resource: Resource;
  /** The reference's field path, and the fields it may be written at, first the likeliest. */
  readonly fields: readonly string[];
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/**
 * `complete`: the resources are everything in force (a server's whole set): a reference that
 * resolves to nothing is then always an error.
 */
export function checkReferences(resources: readonly Resource[], options: { readonly complete?: boolean } = {}): ReferenceProblem[] {
  const { set } = buildPolicyContext(resources);
  /** The backends of that kind the resources define in that scope (a Mesh's logging backends count as its mesh's). */
  const defined = (kind: string, mesh?: string): string[] => [
    ...resources.filter((r) => r.kind === kind && (mesh === undefined || r.scope === mesh)).map((r) => r.name),
    ...(kind === 'MeshAccessLogBackend'
      ? set.backends
          .filter((b) => b.kind === kind && b.mesh === mesh && !resources.some((r) => r.kind === kind && r.name === b.name && r.scope === mesh))
          .map((b) => b.name)
      : []),
  ];
  const problems: ReferenceProblem[] = [];
  for (const policy of resources) {
    if (policy.kind !== 'MeshAccessLog') continue;
    const mesh = policy.scope;
    for (const { path, reference: ref } of backendReferenceSites(policy)) {
      const report = (fields: string[], candidates: readonly string[], missing: string, what: string) =>
        problems.push({
          resource: policy,
          fields,
          severity: candidates.length > 0 || options.complete ? 'error' : 'warning',
          message:
            candidates.length > 0
              ? `${missing}; the given resources define ${candidates.join(', ')}`
              : options.complete
                ? missing
                : `references ${what}, which is not among the given resources: it must exist where this policy is applied`,
        });
      if (ref.kind === 'MeshOpenTelemetryBackend') {
        if (findOtelBackends(ref, mesh, set.otelBackends ?? []).length > 0) continue;
        const what = `MeshOpenTelemetryBackend ${describeOtelRef(ref)}`;
        report([`${path}.openTelemetry.backendRef`, `${path}.conf.backendRef`], defined(ref.kind, mesh), `${what} is not defined in mesh "${mesh}"`, what);
        continue;
      }
      const found = findReferencedBackends(ref, mesh, set.backends);
      const fields = [`${path}.reference.name`, `${path}.name`];
      const scope = ref.kind === 'MeshAccessLogBackend' ? ` in mesh "${mesh}"` : '';
      const what = `${ref.kind} "${ref.name}"`;
      if (found.length > 1) {
        const names = found.map((b) => `${b.name} (spec.name ${b.backendName})`).join(', ');
        problems.push({ resource: policy, fields, severity: 'error', message: `${what} is ambiguous${scope}: it names ${names}` });
      } else if (found.length === 0) {
        report(
          fields,
          defined(ref.kind, ref.kind === 'MeshAccessLogBackend' ? mesh : undefined),
          `${what} is not defined${scope} (by resource name or spec.name)`,
          what,
        );
      }
    }
  }
  return problems;
}

/** A reference problem placed in the file (or request) its policy came from, at the reference's field. */
export interface PlacedReferenceProblem {
  readonly source: string;
  readonly line: number;
  readonly col: number;
  readonly field: string;
  readonly message: string;
  readonly severity: ReferenceProblem['severity'];
}

export function placeReferenceProblems(problems: readonly ReferenceProblem[], loaded: readonly LoadedResource[]): PlacedReferenceProblem[] {
  return problems.flatMap((p) => {
    const from = loaded.find((l) => l.resource === p.resource);
    if (!from) return [];
    const spots = p.fields.map((f) => ({ field: f, ...(from.locate?.(f) ?? { line: from.line, col: 1, exact: false }) }));
    const spot = spots.find((s) => s.exact) ?? spots[0]!;
    return [{ source: from.source, line: spot.line, col: spot.col, field: spot.field, message: p.message, severity: p.severity }];
  });
}
