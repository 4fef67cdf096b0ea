/**
 * The client config file, kubeconfig-style: named contexts (a server and where its token is) and
 * the current one. It lives in `$XDG_CONFIG_HOME/meshlog/config.yaml` (`~/.config/meshlog/config.yaml`
 * when XDG_CONFIG_HOME is unset); `MESHLOG_CONFIG` names another file.
 *
 * ```yaml
 * current-context: prod
 * contexts:
 *   - name: prod
 *     server: https://meshlog.example.com:8080
 *     token-file: ~/.config/meshlog/prod.token
 * ```
 *
 * A context names a token *file*, never a token: the config file is often shared or committed,
 * a token file is a Secret or a 0600 file of its own.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';

export interface Context {
  readonly name: string;
  readonly server?: string;
  readonly tokenFile?: string;
}

export interface ClientConfig {
  readonly currentContext?: string;
  readonly contexts: readonly Context[];
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env['MESHLOG_CONFIG']) return env['MESHLOG_CONFIG'];
  const base = env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || homedir(), '.config');
  return path.join(base, 'meshlog', 'config.yaml');
}

/** `~/x` as the shell would expand it; relative paths are relative to the config file's folder. */
export function expandPath(file: string, configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  if (file === '~' || file.startsWith('~/')) return path.join(env['HOME'] || homedir(), file.slice(1));
  return path.resolve(path.dirname(configFile), file);
}

/** The config at `file`; an absent file is an empty config, a malformed one an error naming the file. */
export function readClientConfig(file: string = configPath()): ClientConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: [] };
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: must be a mapping with contexts and current-context`);
  const problem = (where: string, what: string) => new Error(`${file}: ${where}: ${what}`);
  for (const key of Object.keys(raw))
    if (key !== 'contexts' && key !== 'current-context') throw problem(key, 'unknown field (known: contexts, current-context)');
  const list = raw['contexts'] ?? [];
  if (!Array.isArray(list)) throw problem('contexts', 'must be a list');
  const contexts = list.map((c: unknown, i: number): Context => {
    if (typeof c !== 'object' || c === null) throw problem(`contexts[${i}]`, 'must be a mapping');
    const entry = c as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (key === 'token')
        throw problem(`contexts[${i}].token`, 'a token does not belong in the config file; put it in a file of its own and name it with token-file');
      if (!['name', 'server', 'token-file'].includes(key)) throw problem(`contexts[${i}].${key}`, 'unknown field (known: name, server, token-file)');
    }
    for (const key of ['name', 'server', 'token-file'])
      if (entry[key] !== undefined && typeof entry[key] !== 'string') throw problem(`contexts[${i}].${key}`, 'must be a string');
    if (!entry['name']) throw problem(`contexts[${i}].name`, 'must be set');
    return { name: entry['name'] as string, server: entry['server'] as string | undefined, tokenFile: entry['token-file'] as string | undefined };
  });
  const current = raw['current-context'];
  if (current !== undefined && typeof current !== 'string') throw problem('current-context', 'must be a string');
  return { currentContext: current, contexts };
}

export function writeClientConfig(config: ClientConfig, file: string = configPath()): void {
  const body = {
    ...(config.currentContext ? { 'current-context': config.currentContext } : {}),
    contexts: config.contexts.map((c) => ({ name: c.name, ...(c.server ? { server: c.server } : {}), ...(c.tokenFile ? { 'token-file': c.tokenFile } : {}) })),
  };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, parseDocument(JSON.stringify(body)).toString({ lineWidth: 0 }), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The context a command uses: the one `--context` names, else the current one, else none. */
export function selectContext(config: ClientConfig, name: string | undefined, file: string): Context | undefined {
  const wanted = name ?? config.currentContext;
  if (wanted === undefined) return undefined;
  const found = config.contexts.find((c) => c.name === wanted);
  if (!found) {
    const known = config.contexts.map((c) => c.name).join(', ') || 'none';
    throw new Error(`${name !== undefined ? '--context' : `current-context in ${file}`}: no context "${wanted}" (known: ${known})`);
  }
  return found;
}
