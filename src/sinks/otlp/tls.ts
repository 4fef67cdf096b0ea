/**
 * A `MeshOpenTelemetryBackend`'s TLS settings as what node's TLS and gRPC take: the PEM files read
 * once, when the sink first exports (a sink opens nothing before its first batch), so that a
 * missing file is a delivery error the sink counts and retries, never a crash.
 */
import { readFile } from 'node:fs/promises';
import type { OtlpTls } from './destination.js';

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

async function read(file: string | undefined, what: string): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`cannot read the OpenTelemetry backend's ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function loadTlsMaterial(tls: OtlpTls): Promise<TlsMaterial> {
  const [ca, cert, key] = await Promise.all([read(tls.caFile, 'CA file'), read(tls.certFile, 'client certificate'), read(tls.keyFile, 'client key')]);
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    rejectUnauthorized: tls.insecureSkipVerify !== true,
  };
}

/** `tls, ca /etc/ca.pem, client cert /c.pem, server name otel.example`: what tells two TLS settings apart, for people. */
export function describeTls(tls: OtlpTls): string {
  const parts = ['tls'];
  if (tls.caFile) parts.push(`ca ${tls.caFile}`);
  if (tls.certFile) parts.push(`client cert ${tls.certFile}`);
  if (tls.keyFile) parts.push(`key ${tls.keyFile}`);
  if (tls.serverName) parts.push(`server name ${tls.serverName}`);
  if (tls.insecureSkipVerify) parts.push('not verified');
  return parts.join(', ');
}

/** Memoises a load; a failed load is tried again on the next call (the file may appear). */
export function lazyTls(tls: OtlpTls): () => Promise<TlsMaterial> {
  let loaded: Promise<TlsMaterial> | undefined;
  return () => {
    loaded ??= loadTlsMaterial(tls).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
}
