/**
 * What a resource is once parsed (either encoding, one shape), and what a resource kind is to the
 * rest of meshlog: its names, scope, schema and validator. Each kind folder exports one kind;
 * `kinds.ts` lists them.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Violation } from '../model/violations.js';
import type { SinkPolicy } from '../sinks/index.js';

export interface Resource {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  /** Namespace for namespaced kinds, mesh for mesh-scoped kinds, '' for global kinds. */
  readonly scope: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: unknown;
  readonly encoding: 'kubernetes' | 'universal';
}

/** `AccessLogRecord/gloo-mesh/access-log-all`: unique per resource. */
export function resourceKey(r: Pick<Resource, 'kind' | 'scope' | 'name'>): string {
  return `${r.kind}/${r.scope}/${r.name}`;
}

/**
 * What a server adds to validation: the operator's bounds on where backends write and connect.
 * Absent offline (`meshlog validate` without `--server`), where only the resources' own rules apply.
 */
export interface ValidationContext {
  readonly sinks?: SinkPolicy;
}

export type KindScope = 'namespaced' | 'mesh' | 'global';

export interface KindDefinition {
  readonly kind: string;
  /** Accepted apiVersions for the Kubernetes encoding; the first is the one meshlog writes. */
  readonly apiVersions: readonly string[];
  readonly scope: KindScope;
  /** Lower-case plural, as in a CRD name (`accesslogrecords`). */
  readonly plural: string;
  readonly schema: TSchema;
  /** Pure: every violation of the spec, paths rooted at `path` (normally `spec`). */
  readonly validate: (spec: unknown, path: string, context?: ValidationContext) => Violation[];
  /** Refuses to delete `resource` while others depend on it (a message per dependent). */
  readonly beforeDelete?: (resource: Resource, all: readonly Resource[]) => string[];
  /**
   * Kuma universal resources of some kinds carry their spec at the top level, beside `type` and
   * `name` (a `Dataplane`'s `networking`, a `Mesh`'s `logging`): these fields become the spec.
   */
  readonly universalSpecFields?: readonly string[];
}
