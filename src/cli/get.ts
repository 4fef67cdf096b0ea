/**
 * `meshlog get [KIND [NAME]]` and `meshlog describe KIND NAME`, as kubectl has them: resources on
 * the server as a table (`-o wide` for more columns), or as YAML/JSON to edit and apply again; and
 * one resource described: where it came from, its status (the workloads an AccessLogRecord
 * selects), what references it, and the --config-dir files that did not load.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { findKind, kinds, unknownKindMessage } from '../api/kinds.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { table } from './config.js';

interface Item {
  apiVersion?: string;
  kind?: string;
  type?: string;
  name?: string;
  mesh?: string;
  metadata?: { name: string; namespace?: string; labels?: Record<string, string> };
  status?: { state?: string; observedGeneration?: number; workloads?: Array<{ name?: string; namespace?: string; clusterName?: string }> };
  meshlog: { origin: string; generation: number; createdAt: string; updatedAt: string; referencedBy?: string[] };
  [field: string]: unknown;
}

interface ScopeFlags extends ServerFlags {
  namespace?: string;
  mesh?: string;
}

const kindOf = (i: Item) => i.kind ?? i.type ?? '';
const nameOf = (i: Item) => i.metadata?.name ?? i.name ?? '';
/** The namespace of a namespaced kind, the mesh of a mesh-scoped one (in either encoding). */
const scopeOf = (i: Item) =>
  i.metadata?.namespace ?? i.mesh ?? i.metadata?.labels?.['kuma.io/mesh'] ?? (findKind(kindOf(i))?.scope === 'mesh' ? 'default' : '');

function kindArgument(name: string) {
  const kind = findKind(name);
  if (!kind) throw new Error(unknownKindMessage(name));
  return kind;
}

async function list(flags: ScopeFlags, kind?: string): Promise<{ items: Item[]; problems: string[] }> {
  const response = await request(flags, `api/v1/resources${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`);
  if (!response.ok) throw new Error(await errorMessage(response));
  const body = (await response.json()) as { items: Item[]; problems: string[] };
  const items = body.items.filter(
    (i) => (flags.namespace === undefined || i.metadata?.namespace === flags.namespace) && (flags.mesh === undefined || scopeOf(i) === flags.mesh),
  );
  return { items, problems: body.problems };
}

/** The one resource KIND NAME names (in -n/--mesh when given, else in any scope), or an error that says where it is not. */
async function one(flags: ScopeFlags, kindName: string, name: string): Promise<{ item: Item; problems: string[] }> {
  const kind = kindArgument(kindName);
  const { items, problems } = await list({ ...flags, namespace: undefined, mesh: undefined }, kind.kind);
  const named = items.filter((i) => nameOf(i) === name);
  const wanted = flags.namespace ?? flags.mesh;
  const matching = wanted === undefined ? named : named.filter((i) => scopeOf(i) === wanted);
  if (matching.length === 1) return { item: matching[0]!, problems };
  const where = kind.scope === 'namespaced' ? 'namespace' : 'mesh';
  if (matching.length > 1)
    throw new Error(
      `${kind.kind} ${name} exists in several ${where}s (${matching.map(scopeOf).join(', ')}); say which with ${where === 'namespace' ? '-n' : '--mesh'}`,
    );
  const elsewhere = named.map(scopeOf);
  throw new Error(
    `${kind.kind} ${name} not found${wanted !== undefined ? ` in ${where} ${wanted}` : ''}${elsewhere.length > 0 ? ` (exists in: ${elsewhere.join(', ')})` : ''}`,
  );
}

function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** An item as it can be applied again: without meshlog's bookkeeping and the server-set status. */
function applicable(i: Item): Record<string, unknown> {
  const { meshlog: _meshlog, status: _status, ...rest } = i;
  return rest;
}

export function getCommand(): Command {
  const command = new Command('get')
    .description('List resources on the server: all of them, one kind, or one resource.')
    .argument('[kind]', `a kind or its plural (${kinds.map((k) => k.kind).join(', ')}); all kinds when left out`)
    .argument('[name]', 'one resource of that kind')
    .option('-n, --namespace <namespace>', 'only this namespace (namespaced kinds)')
    .option('--mesh <mesh>', 'only this mesh (mesh-scoped kinds)')
    .addOption(new Option('-o, --output <format>', 'table (default), wide, yaml or json').choices(['table', 'wide', 'yaml', 'json']).default('table'));
  return addServerOptions(command).action(async (kindName: string | undefined, name: string | undefined, flags: ScopeFlags & { output: string }) => {
    const kind = kindName === undefined ? undefined : kindArgument(kindName);
    const items = name !== undefined ? [(await one(flags, kindName!, name)).item] : (await list(flags, kind?.kind)).items;
    if (flags.output === 'json') {
      process.stdout.write(`${JSON.stringify(name !== undefined ? applicable(items[0]!) : { items: items.map(applicable) }, null, 2)}\n`);
      return;
    }
    if (flags.output === 'yaml') {
      process.stdout.write(items.map((i) => stringify(applicable(i), { lineWidth: 0 })).join('---\n'));
      return;
    }
    if (items.length === 0) {
      process.stderr.write(
        `meshlog: no ${kind ? kind.kind : 'resources'} found${flags.namespace ? ` in namespace ${flags.namespace}` : flags.mesh ? ` in mesh ${flags.mesh}` : ''}\n`,
      );
      return;
    }
    const wide = flags.output === 'wide';
    const header = [
      ...(kind ? [] : ['KIND']),
      'NAME',
      'NAMESPACE/MESH',
      'ORIGIN',
      'AGE',
      ...(wide ? ['GENERATION', 'UPDATED', 'STATUS', 'REFERENCED BY'] : []),
    ];
    const rows = items.map((i) => [
      ...(kind ? [] : [kindOf(i)]),
      nameOf(i),
      scopeOf(i) || '-',
      i.meshlog.origin,
      age(i.meshlog.createdAt),
      ...(wide
        ? [
            String(i.meshlog.generation),
            i.meshlog.updatedAt,
            i.status ? `${i.status.state} (${i.status.workloads?.length ?? 0} workloads)` : '-',
            String(i.meshlog.referencedBy?.length ?? 0),
          ]
        : []),
    ]);
    process.stdout.write(table([header, ...rows]));
  });
}

export function describeCommand(): Command {
  const command = new Command('describe')
    .description('Describe one resource: origin, status, the workloads an AccessLogRecord selects, what references it, config-dir problems.')
    .argument('<kind>', 'a kind or its plural')
    .argument('<name>', 'resource name')
    .option('-n, --namespace <namespace>', 'namespace of a namespaced kind, when the name exists in several')
    .option('--mesh <mesh>', 'mesh of a mesh-scoped kind, when the name exists in several');
  return addServerOptions(command).action(async (kindName: string, name: string, flags: ScopeFlags) => {
    const { item, problems } = await one(flags, kindName, name);
    const kind = findKind(kindOf(item))!;
    const m = item.meshlog;
    const lines = [
      `Kind:        ${kind.kind} (${item.apiVersion ?? `universal, type ${kind.kind}`})`,
      `Name:        ${nameOf(item)}`,
      ...(kind.scope === 'global' ? [] : [`${kind.scope === 'namespaced' ? 'Namespace:' : 'Mesh:     '}   ${scopeOf(item)}`]),
      `Origin:      ${m.origin}${m.origin === 'api' ? ' (meshlog apply; meshlog delete removes it)' : ' (--config-dir; edit the file to change it)'}`,
      `Generation:  ${m.generation} (created ${m.createdAt}, updated ${m.updatedAt})`,
    ];
    if (item.status) {
      const workloads = item.status.workloads ?? [];
      lines.push(`Status:      ${item.status.state ?? '-'} (observed generation ${item.status.observedGeneration ?? '-'})`);
      lines.push(
        `Selects:     ${workloads.length === 0 ? 'no workload that has sent logs so far' : `${workloads.length} workload${workloads.length === 1 ? '' : 's'}`}`,
      );
      for (const w of workloads) lines.push(`  ${[w.clusterName, w.namespace, w.name].filter(Boolean).join('/')}`);
    }
    if (kind.beforeDelete) {
      const refs = m.referencedBy ?? [];
      lines.push(`Referenced by: ${refs.length === 0 ? 'nothing (it can be deleted)' : ''}`.trimEnd());
      for (const r of refs) lines.push(`  ${r}`);
    }
    if (problems.length > 0) {
      lines.push('Config-dir problems (files that did not load, so what they define is not in force):');
      for (const p of problems) lines.push(`  ${p}`);
    }
    lines.push('Spec:');
    // Kuma universal kinds without a `spec` (Dataplane, Mesh) carry their fields beside the envelope.
    const {
      apiVersion: _a,
      kind: _k,
      type: _t,
      name: _n,
      mesh: _m,
      metadata: _md,
      labels: _l,
      spec,
      ...topLevel
    } = applicable(item) as Record<string, unknown>;
    lines.push(
      ...stringify(spec ?? topLevel, { lineWidth: 0 })
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
