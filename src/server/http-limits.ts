/**
 * How exposed the HTTP API may be, and the limits any client meets. The API serves access logs,
 * which hold paths, addresses and (unless redacted) credentials: off loopback it needs a token,
 * unless the operator says otherwise out loud (`--insecure-no-auth`). A client that trickles
 * headers or a body, or opens connections by the thousand, is cut off by the timeouts and the cap
 * below (docs/operations/security.md states them).
 */
import { isIP } from 'node:net';

/** The whole request line and headers must arrive within this (slowloris). */
export const headersTimeoutMs = 10_000;
/** The whole request, body included, must arrive within this; responses (watch streams) may last. */
export const requestTimeoutMs = 30_000;
/** How often Node checks the two timeouts above (its default, 30 s, would let them run 40 s). */
export const connectionsCheckingIntervalMs = 1_000;
/** Open connections at once; Node closes the ones beyond it as they arrive. */
export const maxConnections = 1_024;
/** The largest request body: resources, Gloo's selectors. */
export const maxRequestBodyBytes = 1024 * 1024;

/** The options `http.createServer` takes for these limits. */
export const httpServerOptions = {
  headersTimeout: headersTimeoutMs,
  requestTimeout: requestTimeoutMs,
  connectionsCheckingInterval: connectionsCheckingIntervalMs,
} as const;

/** `127.0.0.0/8`, `::1`, `localhost` (and IPv4-mapped loopback): reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** RFC 6750's `b64token`: what may follow `Bearer ` in an Authorization header. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Why the API may not start with these settings, or undefined when it may. */
export function exposureProblem(options: {
  readonly host: string;
  readonly authToken?: string | undefined;
  readonly insecureNoAuth?: boolean | undefined;
}): string | undefined {
  const { host, authToken } = options;
  if (authToken !== undefined && !b64token.test(authToken)) {
    return 'the auth token may hold only letters, digits and - . _ ~ + / (then = padding), as RFC 6750 allows in a Bearer token; clients could never send this one';
  }
  if (authToken === undefined && !isLoopbackHost(host) && options.insecureNoAuth !== true) {
    return `--http-host ${host} serves the access logs beyond this machine without authentication; set --auth-token (or MESHLOG_AUTH_TOKEN), or pass --insecure-no-auth to do it anyway`;
  }
  return undefined;
}
