/**
 * Certificates the demo (and the relay's and the OpenTelemetry sink's tests) make for themselves:
 * a throw-away CA, a server certificate for `localhost` (and any other names asked for) /
 * 127.0.0.1 / ::1, and one client certificate per agent whose DNS name is its cluster (what
 * `meshlog server` lets an agent speak for when no `--agent-san` says otherwise). Nothing of it
 * is committed: each run makes its own. RSA keys and signatures come from Node's crypto; node-forge builds the certificates.
 * Nothing here is fit for production: the CA key is written next to the certificates.
 */
import { generateKeyPair, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

export interface DemoCertificates {
  /** The CA certificate's file. */
  readonly ca: string;
  readonly server: CertificatePair;
  /** Per name given: a client certificate whose DNS SAN is that name. */
  readonly agents: Readonly<Record<string, CertificatePair>>;
}

interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly keyPem: string;
}

interface KeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** RSA key generation takes about half a second here; several run at once on the thread pool. */
const newKeyPair = (): Promise<KeyPair> =>
  promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

/** node-forge has it; its type declarations do not. */
const getTBSCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

function issue(
  subject: string,
  sans: ReadonlyArray<{ type: number; value?: string; ip?: string }>,
  usage: 'ca' | 'leaf',
  { privateKey, publicKey }: KeyPair,
  issuer?: Issued,
): Issued {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = forge.util.bytesToHex(forge.random.getBytesSync(8)).replace(/^[89a-f]/, '1');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 24 * 3600_000);
  const name = [{ name: 'commonName', value: subject }];
  cert.setSubject(name);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : name);
  cert.setExtensions(
    usage === 'ca'
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
          { name: 'subjectAltName', altNames: sans },
        ],
  );
  // Signed by Node's crypto: node-forge's own RSA arithmetic takes about a second per signature.
  cert.signatureOid = forge.pki.oids['sha256WithRSAEncryption']!;
  cert.siginfo.algorithmOid = cert.signatureOid;
  const tbs = forge.asn1.toDer(getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), issuer?.keyPem ?? privateKey).toString('binary');
  return { cert, keyPem: privateKey };
}

const dns = (value: string) => ({ type: 2, value });
const ip = (value: string) => ({ type: 7, ip: value });

/** Writes a CA, a server pair and one pair per agent name into `dir`; returns the file names. */
export async function makeDemoCertificates(
  dir: string,
  agentNames: readonly string[],
  serverNames: readonly string[] = ['localhost'],
): Promise<DemoCertificates> {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  const [caKeys, serverKeys, ...agentKeys] = await Promise.all(Array.from({ length: agentNames.length + 2 }, newKeyPair));
  const ca = issue('meshlog demo CA', [], 'ca', caKeys!);
  const pair = (name: string, issued: Issued): CertificatePair => ({
    cert: write(`${name}.pem`, forge.pki.certificateToPem(issued.cert)),
    key: write(`${name}-key.pem`, issued.keyPem),
  });
  const server = pair('server', issue('meshlog server', [...serverNames.map(dns), ip('127.0.0.1'), ip('::1')], 'leaf', serverKeys!, ca));
  const agents: Record<string, CertificatePair> = {};
  agentNames.forEach((name, i) => {
    agents[name] = pair(`agent-${name}`, issue(`meshlog agent ${name}`, [dns(name)], 'leaf', agentKeys[i]!, ca));
  });
  return { ca: write('ca.pem', forge.pki.certificateToPem(ca.cert)), server, agents };
}
