/**
 * Where the ClickHouse store lives and how to reach it: the `--store clickhouse://USER:PASS@HOST:8123/DB`
 * URL, the `--clickhouse-*` flags (TLS, cluster), and the `@clickhouse/client` built from them.
 *
 * The flags travel inside the URL's query (`?ca=FILE&cert=FILE&key=FILE&tls=1&cluster=NAME`), so
 * that every thread that opens the store (the ingest workers too) has them with the spec alone;
 * a URL may carry them itself.
 */
import { readFileSync } from 'node:fs';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';

/** `--clickhouse-*` flags: TLS material (file paths) and the cluster for `ON CLUSTER`. */
export interface ClickHouseFlags {
  /** Use HTTPS even without a CA of our own (the system's CAs verify the server). */
  readonly tls?: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** A cluster name from the server's `remote_servers`: tables become replicated on every node of it. */
  readonly cluster?: string;
}

export interface ClickHouseTarget {
  /** `http://HOST:PORT` or `https://HOST:PORT`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
  readonly tls?: { readonly caCert: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  readonly cluster?: string;
}

export class ClickHouseSpecError extends Error {
  override readonly name = 'ClickHouseSpecError';
}

const schemes = new Map([
  ['clickhouse:', 'http:'],
  ['clickhouse+http:', 'http:'],
  ['clickhouse+https:', 'https:'],
]);

export function isClickHouseSpec(spec: string): boolean {
  return [...schemes.keys()].some((s) => spec.startsWith(`${s}//`));
}

const flagParams: ReadonlyArray<[keyof ClickHouseFlags, string]> = [
  ['tls', 'tls'],
  ['caFile', 'ca'],
  ['certFile', 'cert'],
  ['keyFile', 'key'],
  ['cluster', 'cluster'],
];

/** The `--store` URL with the `--clickhouse-*` flags in its query; other specs unchanged. */
export function withClickHouseFlags(spec: string, flags: ClickHouseFlags): string {
  if (!isClickHouseSpec(spec)) {
    const given = flagParams.filter(([f]) => flags[f] !== undefined && flags[f] !== false).map(([, p]) => p);
    if (given.length > 0) throw new ClickHouseSpecError(`--clickhouse-${given[0]} is for a ClickHouse --store (clickhouse://USER:PASS@HOST:8123/DB)`);
    return spec;
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new ClickHouseSpecError('--store: not a URL; expected clickhouse://USER:PASS@HOST:8123/DB');
  }
  for (const [flag, param] of flagParams) {
    const value = flags[flag];
    if (value === true) url.searchParams.set(param, '1');
    else if (typeof value === 'string') url.searchParams.set(param, value);
  }
  return url.toString();
}

/** Parses the store URL (and the flags in its query) and reads the TLS files; every error names the part that is wrong. */
export function clickHouseTarget(spec: string): ClickHouseTarget {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new ClickHouseSpecError('--store: not a URL; expected clickhouse://USER:PASS@HOST:8123/DB');
  }
  for (const key of url.searchParams.keys()) {
    if (!flagParams.some(([, p]) => p === key))
      throw new ClickHouseSpecError(`--store: unknown parameter "${key}" (known: ${flagParams.map(([, p]) => p).join(', ')})`);
  }
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  const flags: ClickHouseFlags = {
    tls: param('tls') === '1' || param('tls') === 'true',
    caFile: param('ca'),
    certFile: param('cert'),
    keyFile: param('key'),
    cluster: param('cluster'),
  };
  const scheme = schemes.get(url.protocol);
  if (!scheme) throw new ClickHouseSpecError(`--store: unknown scheme "${url.protocol}"; use clickhouse:// (HTTP) or clickhouse+https://`);
  if (!url.hostname) throw new ClickHouseSpecError('--store: the URL names no host (clickhouse://USER:PASS@HOST:8123/DB)');
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'meshlog';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new ClickHouseSpecError(`--store: database "${database}" must be letters, digits and underscores`);
  if (flags.cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(flags.cluster)) {
    throw new ClickHouseSpecError(`--clickhouse-cluster: "${flags.cluster}" is not a cluster name`);
  }
  if ((flags.certFile === undefined) !== (flags.keyFile === undefined)) throw new ClickHouseSpecError('--clickhouse-cert and --clickhouse-key go together');
  const https = scheme === 'https:' || flags.tls === true || flags.caFile !== undefined || flags.certFile !== undefined;
  const read = (flag: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ClickHouseSpecError(`--clickhouse-${flag}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const caCert = read('ca', flags.caFile);
  const cert = read('cert', flags.certFile);
  const key = read('key', flags.keyFile);
  if (cert && !caCert) throw new ClickHouseSpecError('--clickhouse-cert needs --clickhouse-ca (the CA that signed the server certificate)');
  const port = url.port || (https ? '8443' : '8123');
  return {
    url: `${https ? 'https' : 'http'}://${url.hostname}:${port}`,
    username: decodeURIComponent(url.username) || 'default',
    password: decodeURIComponent(url.password),
    database,
    ...(caCert ? { tls: { caCert, ...(cert && key ? { cert, key } : {}) } } : {}),
    ...(flags.cluster !== undefined ? { cluster: flags.cluster } : {}),
  };
}

/** A client for the target; the database itself may not exist yet, so requests name it in their SQL. */
export function createClickHouseClient(target: ClickHouseTarget): ClickHouseClient {
  return createClient({
    url: target.url,
    username: target.username,
    password: target.password,
    request_timeout: 30_000,
    max_open_connections: 8,
    // Well inside the server's keep-alive (3 s by default): a socket the server is closing is not reused.
    keep_alive: { idle_socket_ttl: 1500 },
    application: 'meshlog',
    // Errors reach meshlog's own logger with context; the client's console logging would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    ...(target.tls
      ? { tls: target.tls.cert && target.tls.key ? { ca_cert: target.tls.caCert, cert: target.tls.cert, key: target.tls.key } : { ca_cert: target.tls.caCert } }
      : {}),
  });
}

/** The URL without its password, for logs and errors. */
export function describeTarget(target: ClickHouseTarget): string {
  return `${target.url}/${target.database} as ${target.username}`;
}
