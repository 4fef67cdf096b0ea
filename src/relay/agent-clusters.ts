/**
 * Which clusters an agent may speak for, from the certificate it presented (mTLS).
 *
 * `--agent-san SAN=CLUSTER[,CLUSTER...]` (repeatable) maps a subject alternative name, written as
 * Node prints it (`DNS:mgmt-agent.meshlog`, `URI:spiffe://example.org/meshlog/agent`), to clusters.
 * Without any mapping, each DNS name in the certificate is a cluster the agent may speak for (a
 * certificate made for `mgmt-cluster` speaks for `mgmt-cluster`). With `--insecure` there is no
 * certificate and an agent may speak for any cluster.
 */
import type { PeerCertificate } from 'node:tls';

/** Clusters allowed, or `any` (plaintext). */
export type AgentClusters = readonly string[] | 'any';

export type AgentAuthorizer = (peer: PeerCertificate | undefined) => AgentClusters;

export class AgentSanError extends Error {
  override readonly name = 'AgentSanError';
}

/** Parses the `--agent-san` values; throws `AgentSanError` naming the bad one. */
export function parseAgentSans(values: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const value of values) {
    const eq = value.lastIndexOf('=');
    const san = eq > 0 ? value.slice(0, eq).trim() : '';
    const clusters =
      eq > 0
        ? value
            .slice(eq + 1)
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
        : [];
    if (!/^(DNS|URI|IP Address|email):.+/.test(san) || clusters.length === 0) {
      throw new AgentSanError(`--agent-san: "${value}" must be SAN=CLUSTER[,CLUSTER...] with SAN like DNS:name or URI:spiffe://...`);
    }
    out.set(san, [...(out.get(san) ?? []), ...clusters]);
  }
  return out;
}

/** The names in a certificate's subjectAltName (`DNS:a, URI:b`), as written there. */
export function subjectAltNames(peer: PeerCertificate | undefined): string[] {
  const text = peer?.subjectaltname ?? '';
  return text
    .split(/,\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function createAgentAuthorizer(options: { readonly insecure: boolean; readonly sans: ReadonlyMap<string, readonly string[]> }): AgentAuthorizer {
  return (peer) => {
    if (options.insecure) return 'any';
    const names = subjectAltNames(peer);
    if (options.sans.size === 0) return names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));
    return [...new Set(names.flatMap((n) => options.sans.get(n) ?? []))];
  };
}

export function mayWrite(clusters: AgentClusters, cluster: string): boolean {
  return clusters === 'any' || clusters.includes(cluster);
}

/** The clusters allowed, for a message: `"a", "b"`, `no cluster` or `any cluster`. */
export function describeClusters(clusters: AgentClusters): string {
  if (clusters === 'any') return 'any cluster';
  return clusters.length === 0 ? 'no cluster' : clusters.map((c) => `"${c}"`).join(', ');
}
