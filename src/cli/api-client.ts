/**
 * A small client for a meshlog server's HTTP API, shared by the CLI commands.
 */
import { Option, type Command } from 'commander';

export interface ServerFlags {
  server: string;
  token?: string;
}

export function addServerOptions(command: Command): Command {
  return command
    .addOption(new Option('--server <url>', 'meshlog server to talk to').env('MESHLOG_SERVER').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'bearer token, when the server requires one').env('MESHLOG_AUTH_TOKEN'));
}

export async function request(flags: ServerFlags, path: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(path, flags.server.endsWith('/') ? flags.server : `${flags.server}/`);
  const headers = new Headers(init.headers);
  if (flags.token) headers.set('authorization', `Bearer ${flags.token}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Error(`cannot reach the meshlog server at ${flags.server} (${cause}); is "meshlog serve" running? (--server)`);
  }
  if (response.status === 401) throw new Error(`the server at ${flags.server} requires a token (--token or MESHLOG_AUTH_TOKEN)`);
  return response;
}

/** Reads an error body (`{error, violations}` or grpc-gateway's `{message}`) into one message. */
export async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: string; message?: string; violations?: Array<{ field: string; message: string }> };
    const lines = (body.violations ?? []).map((v) => (v.field ? `${v.field}: ${v.message}` : v.message));
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
