/**
 * gRPC credentials from the TLS flags: `--tls-cert`, `--tls-key`, `--tls-ca` (the relay, both
 * ends) and `--als-tls-*` (the agent's ALS port). Files are read once, at start; a missing or
 * unreadable file stops the command with a message that names the flag.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface TlsFiles {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

function read(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsConfigError(`${flag} ${file}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Whether any of the files is given (then all that are needed must be). */
export function hasTls(files: TlsFiles): boolean {
  return files.cert !== undefined || files.key !== undefined || files.ca !== undefined;
}

/**
 * A server's credentials. With `ca`, clients must present a certificate it signed (mTLS); the
 * relay port always asks for one, the ALS port only when `--als-tls-ca` is given.
 */
export function serverCredentials(files: TlsFiles, prefix: string, requireClientCert: boolean): grpc.ServerCredentials {
  if (!files.cert || !files.key) throw new TlsConfigError(`${prefix}-cert and ${prefix}-key are both needed to serve TLS`);
  if (requireClientCert && !files.ca) throw new TlsConfigError(`${prefix}-ca is needed: the relay port accepts only agents with a certificate that CA signed`);
  const ca = files.ca ? read(`${prefix}-ca`, files.ca) : null;
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: read(`${prefix}-cert`, files.cert), private_key: read(`${prefix}-key`, files.key) }], ca !== null);
}

/** A client's credentials for mTLS: its own certificate and the CA that signed the server's. */
export function clientCredentials(files: TlsFiles, prefix: string): grpc.ChannelCredentials {
  if (!files.cert || !files.key || !files.ca) throw new TlsConfigError(`${prefix}-cert, ${prefix}-key and ${prefix}-ca are all needed to connect with mTLS`);
  return grpc.credentials.createSsl(read(`${prefix}-ca`, files.ca), read(`${prefix}-key`, files.key), read(`${prefix}-cert`, files.cert));
}
