/**
 * `meshlog delete KIND NAME` or `meshlog delete -f FILE|DIR`: delete resources applied through the
 * API. The server refuses when the resource came from --config-dir or when another resource still
 * depends on it; a resource that is not there is an error unless `--ignore-not-found`, and the
 * message says where a resource of that name exists instead.
 */
import { Command } from 'commander';
import { findKind } from '../api/kinds.js';
import { formatProblem } from '../api/load-yaml.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { collectFiles } from './apply.js';
import { expandInputs, readLocalResources } from './local-resources.js';

interface DeleteFlags extends ServerFlags {
  namespace?: string;
  mesh?: string;
  filename: string[];
  recursive?: boolean;
  ignoreNotFound?: boolean;
}

interface Target {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly mesh?: string;
}

export function deleteCommand(): Command {
  const command = new Command('delete')
    .description('Delete resources: by kind and name (meshlog delete MeshAccessLogBackend file-backend --mesh default) or those of files (-f).')
    .argument('[kind]', 'resource kind, e.g. MeshAccessLog, accesslogrecords')
    .argument('[name]', 'resource name')
    .option('-n, --namespace <namespace>', 'namespace of a namespaced kind (AccessLogRecord)')
    .option('--mesh <mesh>', 'mesh of a mesh-scoped kind (MeshAccessLog, MeshAccessLogBackend, Dataplane)')
    .option('-f, --filename <file>', 'delete the resources this file or directory defines, repeatable', collectFiles, [])
    .option('-R, --recursive', 'read the folders below a directory too')
    .option('--ignore-not-found', 'a resource that is not there is not an error');
  return addServerOptions(command).action(async (kind: string | undefined, name: string | undefined, flags: DeleteFlags) => {
    const targets: Target[] = [];
    if (flags.filename.length > 0) {
      if (kind !== undefined) throw new Error('give either KIND NAME or -f FILE, not both');
      const { resources, problems } = readLocalResources(expandInputs(flags.filename, flags.recursive === true));
      if (problems.length > 0) {
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.exitCode = 1;
        return;
      }
      for (const r of resources) {
        const scope = findKind(r.kind)!.scope;
        targets.push({ kind: r.kind, name: r.name, ...(scope === 'namespaced' ? { namespace: r.scope } : scope === 'mesh' ? { mesh: r.scope } : {}) });
      }
    } else {
      if (kind === undefined || name === undefined) throw new Error('name what to delete: meshlog delete KIND NAME, or meshlog delete -f FILE');
      targets.push({ kind, name, namespace: flags.namespace, mesh: flags.mesh });
    }
    for (const t of targets) {
      const query = new URLSearchParams();
      if (t.namespace) query.set('namespace', t.namespace);
      if (t.mesh) query.set('mesh', t.mesh);
      const path = `api/v1/resources/${encodeURIComponent(t.kind)}/${encodeURIComponent(t.name)}${query.size ? `?${query}` : ''}`;
      const response = await request(flags, path, { method: 'DELETE' });
      if (response.status === 404 && flags.ignoreNotFound && findKind(t.kind)) continue;
      if (!response.ok) {
        process.stderr.write(`meshlog: ${t.kind} ${t.name}: ${await errorMessage(response)}\n`);
        process.exitCode = 1;
        continue;
      }
      process.stdout.write(`${t.kind.toLowerCase()}/${t.name} deleted\n`);
    }
  });
}
