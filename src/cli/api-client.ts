/**
 * A small client for a meshlog server's HTTP API, shared by the CLI commands: which server and
 * token (flags, then environment, then the config file's context), and errors that name what the
 * user typed.
 */
import { type Command, Option } from 'commander';
import { configPath, expandPath, readClientConfig, selectContext } from './client-config.js';
import { readSecretFile } from './secret-file.js';

export interface ServerFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  context?: string;
}

export const defaultServer = 'http://127.0.0.1:8080';

export function addServerOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--server <url>', `meshlog server to talk to (default: the context's server, else ${defaultServer}); host:port means http://`).env(
        'MESHLOG_SERVER',
      ),
    )
    .addOption(
      new Option('--token <token>', 'bearer token (prefer --token-file: a token on the command line ends up in shell history)').env('MESHLOG_AUTH_TOKEN'),
    )
    .addOption(new Option('--token-file <file>', 'read the bearer token from this file').conflicts('token'))
    .addOption(new Option('--context <name>', 'use this context of the config file instead of its current-context'));
}

export interface Target {
  readonly server: string;
  readonly token?: string;
  /** Where the token came from, for the message when the server rejects it. */
  readonly tokenFrom?: string;
}

/** `host:port` → `http://host:port`; anything with a scheme is kept. */
export function normalizeServer(text: string): string {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`--server "${text}" is not a URL or HOST:PORT`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--server "${text}": the scheme must be http or https`);
  return url.href.replace(/\/$/, '');
}

/** The server and token for these flags: flags and environment first, then the config file's context. */
export function resolveTarget(flags: ServerFlags): Target {
  const file = configPath();
  const context = selectContext(readClientConfig(file), flags.context, file);
  const server = normalizeServer(flags.server ?? context?.server ?? defaultServer);
  if (flags.token) return { server, token: flags.token, tokenFrom: '--token or MESHLOG_AUTH_TOKEN' };
  if (flags.tokenFile) return { server, token: readSecretFile(flags.tokenFile, '--token-file'), tokenFrom: `--token-file ${flags.tokenFile}` };
  // A context's token belongs to its server: not sent to a server named on the command line instead.
  if (context?.tokenFile && (flags.server === undefined || normalizeServer(flags.server) === normalizeServer(context.server ?? defaultServer))) {
    const tokenFile = expandPath(context.tokenFile, file);
    return { server, token: readSecretFile(tokenFile, `token-file of context "${context.name}"`), tokenFrom: `the token-file of context "${context.name}"` };
  }
  return { server };
}

export async function request(flags: ServerFlags, path: string, init: RequestInit = {}): Promise<Response> {
  const target = resolveTarget(flags);
  const url = new URL(path, `${target.server}/`);
  const headers = new Headers(init.headers);
  if (target.token) headers.set('authorization', `Bearer ${target.token}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Error(`cannot reach the meshlog server at ${target.server} (${cause}); is "meshlog serve" running? (--server)`);
  }
  if (response.status === 401) {
    throw new Error(
      target.token
        ? `the server at ${target.server} rejected the token (401) from ${target.tokenFrom}`
        : `the server at ${target.server} requires a token (401): give --token-file FILE, or a context with a token-file (meshlog config set-context)`,
    );
  }
  return response;
}

/**
 * Reads an error body (`{error, violations}` or grpc-gateway's `{message}`) into one message.
 * `names` turns the API's parameter names into what the user typed (`limit` → `--last`).
 */
export async function errorMessage(response: Response, names: Readonly<Record<string, string>> = {}): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: string; message?: string; violations?: Array<{ field: string; message: string }> };
    const violations = body.violations ?? [];
    if (violations.length > 0 && violations.every((v) => v.field in names)) return violations.map((v) => `${names[v.field]}: ${v.message}`).join('\n');
    const lines = violations.map((v) => (v.field ? `${names[v.field] ?? v.field}: ${v.message}` : v.message));
    return [body.error ?? body.message ?? `HTTP ${response.status}`, ...lines].join('\n  ');
  } catch {
    return `HTTP ${response.status}: ${text.slice(0, 500)}`;
  }
}

/** Yields each line of an NDJSON response body as it arrives. */
export async function* ndjsonLines(response: Response): AsyncGenerator<unknown> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of response.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
  }
  if (pending.trim()) yield JSON.parse(pending);
}
