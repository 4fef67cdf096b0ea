/**
 * `meshlog version`: this client's version and the server's, and the Envoy access-log APIs the
 * server speaks with where their protos come from. Versions come from package.json.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { buildInfo } from '../telemetry/build-info.js';
import { addServerOptions, type ServerFlags } from './api-client.js';
import { type ServerInfo, serverInfo } from './none-selected.js';

export function versionCommand(): Command {
  const command = new Command('version')
    .description('Print the client and server versions, and the Envoy API version of the protos.')
    .option('--client', 'the client only; do not ask a server')
    .addOption(new Option('-o, --output <format>', 'text, json or yaml').choices(['text', 'json', 'yaml']).default('text'));
  return addServerOptions(command).action(async (flags: ServerFlags & { client?: boolean; output: 'text' | 'json' | 'yaml' }) => {
    const client = buildInfo();
    let server: Awaited<ReturnType<typeof serverInfo>> | { error: string } | undefined;
    if (!flags.client) {
      try {
        server = await serverInfo(flags);
      } catch (err) {
        server = { error: err instanceof Error ? err.message : String(err) };
      }
    }
    const body: { client: object; server?: Pick<ServerInfo, 'version' | 'node' | 'envoy'>; serverError?: string } = {
      client: { version: client.version, node: client.node },
    };
    if (server && 'error' in server) body.serverError = server.error;
    else if (server) body.server = { version: server.version, node: server.node, envoy: server.envoy };
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else if (flags.output === 'yaml') process.stdout.write(stringify(body));
    else {
      const lines = [`Client: meshlog ${client.version} (Node.js ${client.node})`];
      if (body.server) {
        const { envoy } = body.server;
        lines.push(`Server: meshlog ${body.server.version} (Node.js ${body.server.node})`);
        lines.push(`Envoy API: envoy.service.accesslog ${envoy.accessLogService.join(', ')} (protos from ${envoy.protos.package} ${envoy.protos.version})`);
      }
      if (body.serverError) lines.push(`Server: unknown (${body.serverError})`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (body.serverError) process.exitCode = 1;
  });
}
