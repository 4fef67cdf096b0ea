/**
 * Resources inside a running server: the repository, the REST routes over it, and the wiring that
 * hands the resources in force to whoever ingests (the ingest workers) whenever they change.
 */
import type { Hono } from 'hono';
import { type AccessLogRecordLike, selectsWorkload } from '../api/access-log-record/model.js';
import { findKind, kinds, unknownKindMessage } from '../api/kinds.js';
import { formatProblem, type LoadedResource, loadResources } from '../api/load-yaml.js';
import { encodeResource } from '../api/resource.js';
import type { ValidationContext } from '../api/types.js';
import { resourceKey } from '../api/types.js';
import type { ProxyRegistry } from '../collector/proxy-registry.js';
import { workloadKey } from '../model/proxy-identity.js';
import { buildPolicyContext, type PolicyContext } from '../policy/index.js';
import { checkReferences, placeReferenceProblems } from '../policy/reference-check.js';
import { workloadRefJson } from '../protojson/items.js';
import { createResourceRepository, ResourceConflictError, type ResourceRepository, type StoredResource } from '../resources/resource-repository.js';
import type { Logger } from '../telemetry/logger.js';

export interface ResourcesRuntime {
  readonly repository: ResourceRepository;
  /** The policies, backends, routes, declared proxies and records in force now. */
  context(): PolicyContext;
  routes(app: Hono): void;
  close(): Promise<void>;
}

export async function startResources(options: {
  dataDir: string;
  configDir?: string;
  /** Told of the resources in force at start and on every change. */
  onContext: (context: PolicyContext) => void;
  proxies: ProxyRegistry;
  logger: Logger;
  /** The server's bounds (sink roots and hosts) that resources from the API and --config-dir must keep. */
  validation?: ValidationContext;
}): Promise<ResourcesRuntime> {
  const { validation } = options;
  const repository = createResourceRepository({ dataDir: options.dataDir, configDir: options.configDir, kinds, logger: options.logger, validation });
  let context = buildPolicyContext([]);
  const feed = (all: readonly StoredResource[]) => {
    context = buildPolicyContext(all.map((r) => r.resource));
    options.onContext(context);
  };
  repository.subscribe(feed);
  await repository.start();
  feed(repository.list());

  /** Gloo's AccessLogRecordStatus: the workloads the record selects now. */
  const status = (r: StoredResource) => {
    if (r.resource.kind !== 'AccessLogRecord') return undefined;
    const record = toRecord(r);
    const workloads = new Map<string, Record<string, string>>();
    for (const p of options.proxies.list())
      if (selectsWorkload(record, p.identity)) workloads.set(workloadKey(p.identity.workload), workloadRefJson(p.identity.workload));
    return { observedGeneration: r.generation, state: 'ACCEPTED', workloads: [...workloads.values()] };
  };
  const view = (r: StoredResource) => {
    const kind = findKind(r.resource.kind)!;
    const s = status(r);
    // What `meshlog describe` shows as "referenced by": the same check that refuses to delete a backend in use.
    const referencedBy =
      kind.beforeDelete?.(
        r.resource,
        repository.list().map((x) => x.resource),
      ) ?? [];
    return {
      ...encodeResource(r.resource, kind),
      ...(s ? { status: s } : {}),
      meshlog: {
        origin: r.origin,
        generation: r.generation,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        ...(referencedBy.length > 0 ? { referencedBy } : {}),
      },
    };
  };
  /** `AccessLogRecord x not found in namespace default (exists in: gloo-mesh)`. */
  const notFound = (kind: NonNullable<ReturnType<typeof findKind>>, scope: string, name: string) => {
    const elsewhere = repository
      .list(kind.kind)
      .filter((r) => r.resource.name === name && r.resource.scope !== scope)
      .map((r) => r.resource.scope);
    const where = kind.scope === 'namespaced' ? ` in namespace ${scope}` : kind.scope === 'mesh' ? ` in mesh ${scope}` : '';
    return `${kind.kind} ${name} not found${where}${elsewhere.length > 0 ? ` (exists in: ${elsewhere.join(', ')})` : ''}`;
  };

  return {
    repository,
    context: () => context,
    close: () => repository.close(),
    routes(app) {
      app.post('/api/v1/resources', async (c) => {
        const text = await c.req.text();
        const { resources, problems } = loadResources(text, 'request', kinds, validation);
        if (problems.length > 0) {
          return c.json(
            {
              error: 'the resources are not valid; nothing was applied',
              violations: problems.map((p) => ({ field: p.field, message: p.message, line: p.line, col: p.col })),
            },
            400,
          );
        }
        // `?dryRun=1` (what `meshlog validate --server` sends): checked by this server's rules, not applied.
        if (isTrue(c.req.query('dryRun'))) {
          return c.json({ results: resources.map(({ resource }) => ({ kind: resource.kind, name: resource.name, scope: resource.scope, outcome: 'valid' })) });
        }
        // A policy whose backend reference resolves to nothing among what would be in force is refused.
        const dangling = danglingReferences(resources, repository.list());
        if (dangling.length > 0) return c.json({ error: 'a backend reference resolves to nothing; nothing was applied', violations: dangling }, 400);
        try {
          const results = repository.apply(resources.map((r) => r.resource));
          return c.json({ results: results.map(({ resource, outcome }) => ({ kind: resource.kind, name: resource.name, scope: resource.scope, outcome })) });
        } catch (err) {
          if (err instanceof ResourceConflictError) return c.json({ error: err.message }, 409);
          throw err;
        }
      });
      app.get('/api/v1/resources', (c) => {
        const kindParam = c.req.query('kind');
        const kind = kindParam ? findKind(kindParam) : undefined;
        if (kindParam && !kind) return c.json({ error: unknownKindMessage(kindParam) }, 400);
        return c.json({ items: repository.list(kind?.kind).map(view), problems: repository.problems().map(formatProblem) });
      });
      const scopeOf = (kind: NonNullable<ReturnType<typeof findKind>>, q: (k: string) => string | undefined) =>
        kind.scope === 'namespaced' ? (q('namespace') ?? 'default') : kind.scope === 'mesh' ? (q('mesh') ?? 'default') : '';
      app.get('/api/v1/resources/:kind/:name', (c) => {
        const kind = findKind(c.req.param('kind'));
        if (!kind) return c.json({ error: unknownKindMessage(c.req.param('kind')) }, 404);
        const scope = scopeOf(kind, (k) => c.req.query(k));
        const found = repository.get(kind.kind, scope, c.req.param('name'));
        return found ? c.json(view(found)) : c.json({ error: notFound(kind, scope, c.req.param('name')) }, 404);
      });
      app.delete('/api/v1/resources/:kind/:name', (c) => {
        const kind = findKind(c.req.param('kind'));
        if (!kind) return c.json({ error: unknownKindMessage(c.req.param('kind')) }, 404);
        const scope = scopeOf(kind, (k) => c.req.query(k));
        try {
          const deleted = repository.delete(kind.kind, scope, c.req.param('name'));
          return deleted ? c.json({ deleted: true }) : c.json({ error: notFound(kind, scope, c.req.param('name')) }, 404);
        } catch (err) {
          if (err instanceof ResourceConflictError) return c.json({ error: err.message }, 409);
          throw err;
        }
      });
    },
  };
}

function isTrue(flag: string | undefined): boolean {
  return flag !== undefined && flag !== '0' && flag !== 'false';
}

function toRecord(r: StoredResource): AccessLogRecordLike {
  return { name: r.resource.name, namespace: r.resource.scope, spec: (r.resource.spec ?? {}) as AccessLogRecordLike['spec'] };
}

/** Reference problems of the incoming policies, against the resources in force with the incoming ones applied. */
function danglingReferences(
  incoming: readonly LoadedResource[],
  stored: readonly StoredResource[],
): Array<{ field: string; message: string; line: number; col: number }> {
  const keys = new Set(incoming.map((l) => resourceKey(l.resource)));
  const inForce = [...stored.map((s) => s.resource).filter((r) => !keys.has(resourceKey(r))), ...incoming.map((l) => l.resource)];
  return placeReferenceProblems(checkReferences(inForce, { complete: true }), incoming).map(({ field, message, line, col }) => ({ field, message, line, col }));
}
