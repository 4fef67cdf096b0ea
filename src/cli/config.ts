/**
 * `meshlog config`: the contexts of the client config file (see `client-config.ts`), as
 * `kubectl config` does: `set-context`, `use-context`, `get-contexts`, `current-context`.
 */
import { Command } from 'commander';
import { normalizeServer } from './api-client.js';
import { configPath, readClientConfig, writeClientConfig } from './client-config.js';

export function configCommand(): Command {
  const command = new Command('config').description(
    `Manage contexts (a server and its token file) in ${configPath().replace(process.env['HOME'] ?? '\u0000', '~')}.`,
  );
  command
    .command('set-context')
    .description('Create or change a context; the first context created becomes the current one.')
    .argument('<name>', 'context name')
    .option('--server <url>', 'the meshlog server (host:port means http://)')
    .option('--token-file <file>', 'a file holding the bearer token (the token itself is never written to the config)')
    .action((name: string, flags: { server?: string; tokenFile?: string }) => {
      const file = configPath();
      const config = readClientConfig(file);
      const server = flags.server === undefined ? undefined : normalizeServer(flags.server);
      const existing = config.contexts.find((c) => c.name === name);
      const updated = { name, server: server ?? existing?.server, tokenFile: flags.tokenFile ?? existing?.tokenFile };
      const contexts = existing ? config.contexts.map((c) => (c === existing ? updated : c)) : [...config.contexts, updated];
      writeClientConfig({ currentContext: config.currentContext ?? name, contexts }, file);
      process.stdout.write(`context "${name}" ${existing ? 'modified' : 'created'} in ${file}\n`);
    });
  command
    .command('use-context')
    .description('Make a context the current one.')
    .argument('<name>', 'context name')
    .action((name: string) => {
      const file = configPath();
      const config = readClientConfig(file);
      if (!config.contexts.some((c) => c.name === name)) {
        throw new Error(
          `no context "${name}" in ${file} (known: ${config.contexts.map((c) => c.name).join(', ') || 'none'}); create it with meshlog config set-context ${name} --server URL`,
        );
      }
      writeClientConfig({ ...config, currentContext: name }, file);
      process.stdout.write(`switched to context "${name}"\n`);
    });
  command
    .command('get-contexts')
    .description('List the contexts; * marks the current one.')
    .action(() => {
      const config = readClientConfig();
      const rows = [
        ['CURRENT', 'NAME', 'SERVER', 'TOKEN-FILE'],
        ...config.contexts.map((c) => [c.name === config.currentContext ? '*' : '', c.name, c.server ?? '', c.tokenFile ?? '']),
      ];
      process.stdout.write(table(rows));
    });
  command
    .command('current-context')
    .description('Print the current context.')
    .action(() => {
      const current = readClientConfig().currentContext;
      if (current === undefined) throw new Error(`no current context in ${configPath()}; set one with meshlog config use-context NAME`);
      process.stdout.write(`${current}\n`);
    });
  return command;
}

/** Columns padded to their widest cell, as kubectl prints them. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
