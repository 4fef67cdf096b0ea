/**
 * `meshlog render PROXY`: the Envoy configuration that makes a proxy log what its policies and
 * AccessLogRecords ask for: the `access_log` of each listener and the clusters they need
 * (default), a complete bootstrap to start Envoy with (`--bootstrap`), or Istio mesh config and a
 * Telemetry resource (`--istio`), or patches to paste into a mesh that generates the Envoy config
 * itself: an Istio `EnvoyFilter` (`-o envoyfilter`) or a Kuma `MeshProxyPatch` (`-o meshproxypatch`).
 * Resources come from files (`-f`, `--config-dir`) or from a running server (`--server`).
 * Warnings (what Envoy cannot check) go to standard error.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { formatProblem } from '../api/load-yaml.js';
import { buildPolicyContext, findProxy, recordsForProxy, resolveProxy } from '../policy/index.js';
import { parseEndpoint } from '../render/clusters.js';
import { type RenderOptions, renderAccessLogs, renderBootstrap, renderEnvoyFilter, renderIstio, renderMeshProxyPatch } from '../render/index.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { readLocalResources } from './local-resources.js';

interface RenderFlags extends ServerFlags {
  filename: string[];
  configDir?: string;
  output: 'yaml' | 'json' | 'envoyfilter' | 'meshproxypatch';
  bootstrap?: boolean;
  istio?: boolean;
  agent: string;
  clusterName?: string;
}

type View = 'access-logs' | 'bootstrap' | 'istio' | 'envoyfilter' | 'meshproxypatch';

export function renderCommand(): Command {
  const command = new Command('render')
    .description("Render a proxy's access logging as Envoy config (access_log per listener, clusters), a bootstrap, or Istio config.")
    .argument('<proxy>', 'proxy id (MESH.NAME, or the Envoy node id), name or workload name')
    .option(
      '-f, --filename <file>',
      'resources from this file (repeatable); without -f or --config-dir, ask --server',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--config-dir <dir>', 'resources from the YAML/JSON files of this directory')
    .addOption(
      new Option('-o, --output <format>', 'yaml or json; envoyfilter (an Istio EnvoyFilter) or meshproxypatch (a Kuma MeshProxyPatch), as YAML to apply')
        .choices(['yaml', 'json', 'envoyfilter', 'meshproxypatch'])
        .default('yaml'),
    )
    .addOption(new Option('--bootstrap', 'a complete Envoy bootstrap (admin, listeners, clusters)').conflicts('istio'))
    .option('--istio', 'Istio meshConfig (extension providers) and a Telemetry resource')
    .option('--agent <host:port>', "where Envoy reaches the meshlog agent's ALS port", '127.0.0.1:9977')
    .option('--cluster-name <name>', 'the mesh cluster the proxy runs in (Gloo\'s GLOO_MESH_CLUSTER_NAME); default: the proxy\'s zone, else "default"');
  return addServerOptions(command).action(async (proxyKey: string, flags: RenderFlags) => {
    const agent = parseEndpoint(flags.agent);
    if (!agent) throw new Error(`--agent ${JSON.stringify(flags.agent)} is not HOST:PORT`);
    const patch = flags.output === 'envoyfilter' || flags.output === 'meshproxypatch' ? flags.output : undefined;
    if (patch && (flags.bootstrap || flags.istio)) throw new Error(`-o ${patch} is a view of its own; leave out --bootstrap and --istio`);
    const view: View = patch ?? (flags.bootstrap ? 'bootstrap' : flags.istio ? 'istio' : 'access-logs');
    const local = flags.filename.length > 0 || flags.configDir !== undefined;
    const rendered = local ? renderLocal(proxyKey, flags, view, agent) : await renderRemote(proxyKey, flags, view);
    if (rendered === undefined) {
      process.exitCode = 1;
      return;
    }
    const { warnings = [], ...output } = rendered as { warnings?: string[] };
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const yamlOptions = { lineWidth: 0, aliasDuplicateObjects: false } as const;
    if (patch) {
      const { resources } = output as { resources: object[] };
      if (resources.length === 0) process.stderr.write(`meshlog: nothing to patch: no policy or AccessLogRecord makes ${proxyKey} log anything\n`);
      // `kubectl apply -f -` takes the documents as they are; block scalars keep the Kuma patch values readable.
      process.stdout.write(resources.map((r) => stringify(r, { ...yamlOptions, blockQuote: 'literal' })).join('---\n'));
      return;
    }
    const body = view === 'bootstrap' ? (output as { bootstrap: unknown }).bootstrap : output;
    process.stdout.write(flags.output === 'json' ? `${JSON.stringify(body, null, 2)}\n` : stringify(body, yamlOptions));
  });
}

function renderLocal(proxyKey: string, flags: RenderFlags, view: View, agent: { host: string; port: number }): object | undefined {
  const { resources, problems } = readLocalResources(flags.filename, flags.configDir);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    return undefined;
  }
  const context = buildPolicyContext(resources);
  const proxy = findProxy(context.proxies, proxyKey);
  if (!proxy) {
    const known = context.proxies.map((p) => p.id).join(', ') || 'none';
    process.stderr.write(`meshlog: no Dataplane "${proxyKey}" in the given resources (known: ${known})\n`);
    return undefined;
  }
  const config = resolveProxy(context.set, proxy);
  const records = recordsForProxy(context.records, proxy);
  const options: RenderOptions = { agent: { clusterName: flags.clusterName ?? proxy.zone ?? 'default', address: agent.host, port: agent.port } };
  if (view === 'bootstrap') return renderBootstrap(config, records, options);
  if (view === 'istio') return renderIstio(config, records, options);
  if (view === 'envoyfilter') return renderEnvoyFilter(config, records, options);
  if (view === 'meshproxypatch') return renderMeshProxyPatch(config, records, options);
  return renderAccessLogs(config, records, options);
}

/** The server renders with what it knows (discovered proxies included): `GET /api/v1/proxies/{id}/envoy`. */
async function renderRemote(proxyKey: string, flags: RenderFlags, view: View): Promise<object | undefined> {
  const query = new URLSearchParams({ view, agent: flags.agent });
  if (flags.clusterName) query.set('clusterName', flags.clusterName);
  const response = await request(flags, `api/v1/proxies/${encodeURIComponent(proxyKey)}/envoy?${query}`);
  if (!response.ok) {
    process.stderr.write(`meshlog: ${await errorMessage(response)}\n`);
    return undefined;
  }
  return (await response.json()) as object;
}
