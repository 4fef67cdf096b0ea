/**
 * TLS operators, from `common.tls_properties`. ALS reports the downstream connection's version,
 * cipher, SNI, session id, JA3 and the SANs / subject / issuer of both certificates; nothing of
 * the upstream connection and no peer certificate itself (fingerprints, serial, PEM, validity).
 */
import { type AlsCertificate, type AlsTls, commonOf, type OperatorDef, simple, text, unsupported } from './als-entry.js';
import type { Evaluator } from './types.js';

const tlsOf = (entry: Parameters<Evaluator>[0]): AlsTls | null | undefined => commonOf(entry)?.tlsProperties;

/** `TLSProperties.TLSVersion` as BoringSSL's `SSL_get_version` names it. */
const versions = [null, 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** IANA cipher suite ids → BoringSSL names (`SSL_CIPHER_get_name`), covering what Envoy offers. */
const ciphers: Record<number, string> = {
  0x1301: 'TLS_AES_128_GCM_SHA256',
  0x1302: 'TLS_AES_256_GCM_SHA384',
  0x1303: 'TLS_CHACHA20_POLY1305_SHA256',
  0xc02b: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  0xc02f: 'ECDHE-RSA-AES128-GCM-SHA256',
  0xc02c: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  0xc030: 'ECDHE-RSA-AES256-GCM-SHA384',
  0xcca9: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  0xcca8: 'ECDHE-RSA-CHACHA20-POLY1305',
  0xccac: 'ECDHE-PSK-CHACHA20-POLY1305',
  0xc009: 'ECDHE-ECDSA-AES128-SHA',
  0xc013: 'ECDHE-RSA-AES128-SHA',
  0xc00a: 'ECDHE-ECDSA-AES256-SHA',
  0xc014: 'ECDHE-RSA-AES256-SHA',
  0xc035: 'ECDHE-PSK-AES128-CBC-SHA',
  0xc036: 'ECDHE-PSK-AES256-CBC-SHA',
  0x009c: 'AES128-GCM-SHA256',
  0x009d: 'AES256-GCM-SHA384',
  0x002f: 'AES128-SHA',
  0x0035: 'AES256-SHA',
  0x008c: 'PSK-AES128-CBC-SHA',
  0x008d: 'PSK-AES256-CBC-SHA',
  0x000a: 'DES-CBC3-SHA',
};

function cipherName(id: number): string {
  return ciphers[id] ?? `0x${id.toString(16).padStart(4, '0')}`;
}

/** SANs of one kind, comma-joined as Envoy joins them. */
const sans =
  (side: 'local' | 'peer', kind: 'uri' | 'dns'): Evaluator =>
  (entry) => {
    const tls = tlsOf(entry);
    const cert = side === 'local' ? tls?.localCertificateProperties : tls?.peerCertificateProperties;
    const list = cert?.subjectAltName;
    if (!list || list.length === 0) return null;
    let out = '';
    for (const san of list) {
      const v = san[kind];
      if (v) out = out === '' ? v : `${out},${v}`;
    }
    return out === '' ? null : out;
  };

const certField =
  (side: 'local' | 'peer', field: keyof Pick<AlsCertificate, 'subject' | 'issuer'>): Evaluator =>
  (entry) => {
    const tls = tlsOf(entry);
    return text((side === 'local' ? tls?.localCertificateProperties : tls?.peerCertificateProperties)?.[field]);
  };

export const tlsOperators: Record<string, OperatorDef> = {
  DOWNSTREAM_LOCAL_URI_SAN: simple(sans('local', 'uri')),
  DOWNSTREAM_PEER_URI_SAN: simple(sans('peer', 'uri')),
  DOWNSTREAM_LOCAL_DNS_SAN: simple(sans('local', 'dns')),
  DOWNSTREAM_PEER_DNS_SAN: simple(sans('peer', 'dns')),
  DOWNSTREAM_LOCAL_SUBJECT: simple(certField('local', 'subject')),
  DOWNSTREAM_PEER_SUBJECT: simple(certField('peer', 'subject')),
  DOWNSTREAM_LOCAL_ISSUER: simple(certField('local', 'issuer')),
  DOWNSTREAM_PEER_ISSUER: simple(certField('peer', 'issuer')),
  DOWNSTREAM_TLS_VERSION: simple((entry) => versions[tlsOf(entry)?.tlsVersion ?? 0] ?? null),
  DOWNSTREAM_TLS_CIPHER: simple((entry) => {
    const id = tlsOf(entry)?.tlsCipherSuite?.value;
    return id ? cipherName(id) : null;
  }),
  DOWNSTREAM_TLS_SESSION_ID: simple((entry) => text(tlsOf(entry)?.tlsSessionId)),
  TLS_JA3_FINGERPRINT: simple((entry) => text(tlsOf(entry)?.ja3Fingerprint)),
  REQUESTED_SERVER_NAME: simple((entry) => text(tlsOf(entry)?.tlsSniHostname)),

  DOWNSTREAM_PEER_FINGERPRINT_256: unsupported(),
  DOWNSTREAM_PEER_FINGERPRINT_1: unsupported(),
  DOWNSTREAM_PEER_SERIAL: unsupported(),
  DOWNSTREAM_PEER_CERT: unsupported(),
  DOWNSTREAM_PEER_CERT_V_START: unsupported('optional'),
  DOWNSTREAM_PEER_CERT_V_END: unsupported('optional'),
  UPSTREAM_PEER_SUBJECT: unsupported(),
  UPSTREAM_PEER_ISSUER: unsupported(),
  UPSTREAM_PEER_CERT: unsupported(),
  UPSTREAM_PEER_CERT_V_START: unsupported('optional'),
  UPSTREAM_PEER_CERT_V_END: unsupported('optional'),
  UPSTREAM_PEER_URI_SAN: unsupported(),
  UPSTREAM_LOCAL_URI_SAN: unsupported(),
  UPSTREAM_TLS_SESSION_ID: unsupported(),
  UPSTREAM_TLS_CIPHER: unsupported(),
  UPSTREAM_TLS_VERSION: unsupported(),
};
