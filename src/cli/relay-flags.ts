/**
 * The relay's TLS flags, shared by `meshlog agent` and `meshlog server`: `--tls-cert`, `--tls-key`,
 * `--tls-ca`, or `--insecure` for plaintext (which logs a warning), never neither.
 */
import type { Command } from 'commander';
import type { TlsFiles } from '../relay/tls.js';
import type { Logger } from '../telemetry/logger.js';

export interface RelayTlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  insecure?: boolean;
}

/** `peer`: whose certificate the CA signed, as said in the help ("the server's", "agents'"). */
export function addRelayTlsOptions(command: Command, peer: string): Command {
  return command
    .option('--tls-cert <file>', "this side's certificate (PEM) for the relay")
    .option('--tls-key <file>', 'its private key (PEM)')
    .option('--tls-ca <file>', `the CA (PEM) that signed ${peer} certificates`)
    .option('--insecure', 'relay in plaintext, without TLS (logs a warning; only on a trusted network)');
}

/** The TLS files, or undefined for `--insecure`; throws when the flags say neither or both. */
export function relayTls(flags: RelayTlsFlags, logger: Logger, risk: string): TlsFiles | undefined {
  const files = { cert: flags.tlsCert, key: flags.tlsKey, ca: flags.tlsCa };
  const any = files.cert !== undefined || files.key !== undefined || files.ca !== undefined;
  if (flags.insecure) {
    if (any) throw new Error('--insecure and --tls-* exclude each other: give the certificate files or --insecure, not both.');
    logger.warn({}, `The relay runs in plaintext (--insecure): ${risk}`);
    return undefined;
  }
  if (!files.cert || !files.key || !files.ca) throw new Error('--tls-cert, --tls-key and --tls-ca are all needed for the relay (or --insecure for plaintext).');
  return files;
}
