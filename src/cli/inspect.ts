/**
 * `meshlog inspect PROXY`: per inbound and outbound of a proxy, which MeshAccessLog policies
 * matched, in which order, and the resolved backends and filtering; and beside them, which
 * AccessLogRecords select the proxy (what the store keeps of it). Resources come from files
 * (`-f`, `--config-dir`: the proxy must then be a Dataplane among them) or from a running server
 * (`--server`), which also knows the proxies it discovered from their logs.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import { formatProblem } from '../api/load-yaml.js';
import {
  buildPolicyContext,
  describeProxyConfig,
  describeRecords,
  findProxy,
  type ProxyLogConfig,
  recordsForProxy,
  resolveProxyForInspection,
} from '../policy/index.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { readLocalResources } from './local-resources.js';

interface InspectFlags extends ServerFlags {
  filename: string[];
  configDir?: string;
  output: 'text' | 'json' | 'yaml';
}

export function inspectCommand(): Command {
  const command = new Command('inspect')
    .description('Show which MeshAccessLog policies apply to a proxy, in which order, and what they resolve to.')
    .argument('<proxy>', 'proxy id (MESH.NAME, or the Envoy node id), name or workload name')
    .option(
      '-f, --filename <file>',
      'resources from this file (repeatable); without -f or --config-dir, ask --server',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--config-dir <dir>', 'resources from the YAML/JSON files of this directory')
    .addOption(new Option('-o, --output <format>', 'text, json or yaml').choices(['text', 'json', 'yaml']).default('text'));
  return addServerOptions(command).action(async (proxyKey: string, flags: InspectFlags) => {
    let config: ProxyLogConfig & { accessLogRecords: readonly AccessLogRecordLike[] };
    if (flags.filename.length > 0 || flags.configDir) {
      const { resources, problems } = readLocalResources(flags.filename, flags.configDir);
      if (problems.length > 0) {
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.exitCode = 1;
        return;
      }
      const context = buildPolicyContext(resources);
      const proxy = findProxy(context.proxies, proxyKey);
      if (!proxy) {
        const known = context.proxies.map((p) => p.id).join(', ') || 'none';
        process.stderr.write(`meshlog: no Dataplane "${proxyKey}" in the given resources (known: ${known})\n`);
        process.exitCode = 1;
        return;
      }
      // A Dataplane without declared outbounds: per destination the policies name.
      config = { ...resolveProxyForInspection(context.set, proxy), accessLogRecords: recordsForProxy(context.records, proxy) };
    } else {
      const response = await request(flags, `api/v1/proxies/${encodeURIComponent(proxyKey)}/policies`);
      if (!response.ok) {
        process.stderr.write(`meshlog: ${await errorMessage(response)}\n`);
        process.exitCode = 1;
        return;
      }
      config = (await response.json()) as typeof config;
    }
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    else if (flags.output === 'yaml') process.stdout.write(stringify(config));
    else process.stdout.write(describeProxyConfig(config) + describeRecords(config.accessLogRecords));
  });
}
