/**
 * `meshlog delete KIND NAME`: delete a resource applied through the API. The server refuses when
 * the resource came from --config-dir or when another resource still depends on it.
 */
import { Command } from 'commander';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';

interface DeleteFlags extends ServerFlags {
  namespace?: string;
  mesh?: string;
}

export function deleteCommand(): Command {
  const command = new Command('delete')
    .description('Delete a resource (e.g. meshlog delete MeshAccessLogBackend file-backend --mesh default).')
    .argument('<kind>', 'resource kind, e.g. MeshAccessLog, accesslogrecords')
    .argument('<name>', 'resource name')
    .option('-n, --namespace <namespace>', 'namespace of a namespaced kind (AccessLogRecord)')
    .option('--mesh <mesh>', 'mesh of a mesh-scoped kind (MeshAccessLog, MeshAccessLogBackend, Dataplane)');
  return addServerOptions(command).action(async (kind: string, name: string, flags: DeleteFlags) => {
    const query = new URLSearchParams();
    if (flags.namespace) query.set('namespace', flags.namespace);
    if (flags.mesh) query.set('mesh', flags.mesh);
    const path = `api/v1/resources/${encodeURIComponent(kind)}/${encodeURIComponent(name)}${query.size ? `?${query}` : ''}`;
    const response = await request(flags, path, { method: 'DELETE' });
    if (!response.ok) {
      process.stderr.write(`meshlog: ${kind} ${name}: ${await errorMessage(response)}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${kind.toLowerCase()}/${name} deleted\n`);
  });
}
