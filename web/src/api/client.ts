/**
 * Every call the viewer makes to the meshlog API goes through `apiFetch`: it adds the session's
 * token (`Authorization: Bearer`), turns a 401 into a request for a token, and turns any other
 * failure into an `ApiError` that says what the server said.
 */
import { token, tokenRefused } from './token.js';

export interface Violation {
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly violations: readonly Violation[] = [],
  ) {
    super(message);
  }
}

export async function apiFetch(path: string, signal?: AbortSignal): Promise<Response> {
  const sent = token();
  const response = await fetch(path, { signal, headers: sent ? { authorization: `Bearer ${sent}` } : {} });
  if (response.ok) return response;
  if (response.status === 401) tokenRefused(sent !== null);
  throw await errorOf(response, path);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await apiFetch(path, signal)).json()) as T;
}

export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  return (await apiFetch(path, signal)).text();
}

async function errorOf(response: Response, path: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: { error?: unknown; message?: unknown; violations?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON (a proxy's error page, bearer auth's plain text): show it as it came.
  }
  const said = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : text.trim().slice(0, 300);
  const violations = Array.isArray(body.violations) ? (body.violations as Violation[]) : [];
  const detail = violations.length ? `: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}` : '';
  const what = response.status === 401 ? 'the server wants a valid token (401)' : `${said || response.statusText}${detail}`;
  return new ApiError(`GET ${path.split('?')[0]} failed with HTTP ${response.status}: ${what}`, response.status, violations);
}

/**
 * The lines of an NDJSON response, a batch per chunk that arrives (a live tail hands over many
 * lines at once, and the views take them in batches too). Ends when the response does.
 */
export async function* ndjsonBatches(response: Response): AsyncGenerator<string[]> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = rest + value;
      const lines: string[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        if (nl > start) lines.push(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (lines.length) yield lines;
    }
    if (rest.trim() !== '') yield [rest];
  } finally {
    reader.releaseLock();
  }
}
