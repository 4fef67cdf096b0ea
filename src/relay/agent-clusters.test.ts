import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { AgentSanError, createAgentAuthorizer, mayWrite, parseAgentSans } from './agent-clusters.js';

const peer = (subjectaltname: string) => ({ subjectaltname }) as PeerCertificate;

describe('which clusters an agent may speak for', () => {
  it('takes each DNS name of the certificate as a cluster when no --agent-san is given', () => {
    const authorize = createAgentAuthorizer({ insecure: false, sans: new Map() });
    expect(authorize(peer('DNS:mgmt-cluster, URI:spiffe://example.org/agent, IP Address:10.0.0.1'))).toEqual(['mgmt-cluster']);
    expect(authorize(undefined)).toEqual([]);
  });

  it('maps SANs to clusters with --agent-san, and only those', () => {
    const sans = parseAgentSans([
      'DNS:agent.mgmt.example=mgmt-cluster',
      'URI:spiffe://example.org/ns/meshlog/sa/agent=edge-a, edge-b',
      'DNS:agent.mgmt.example=extra',
    ]);
    const authorize = createAgentAuthorizer({ insecure: false, sans });
    expect(authorize(peer('DNS:agent.mgmt.example'))).toEqual(['mgmt-cluster', 'extra']);
    expect(authorize(peer('URI:spiffe://example.org/ns/meshlog/sa/agent'))).toEqual(['edge-a', 'edge-b']);
    // A DNS name that is a cluster's name gives nothing once mappings are given.
    expect(authorize(peer('DNS:mgmt-cluster'))).toEqual([]);
  });

  it('lets a plaintext (--insecure) agent speak for any cluster', () => {
    const clusters = createAgentAuthorizer({ insecure: true, sans: new Map() })(undefined);
    expect(mayWrite(clusters, 'anything')).toBe(true);
    expect(mayWrite(['a'], 'b')).toBe(false);
  });

  it('names a malformed --agent-san', () => {
    for (const bad of ['mgmt-cluster', 'DNS:x=', 'name=cluster', '=cluster']) {
      expect(() => parseAgentSans([bad])).toThrow(AgentSanError);
      expect(() => parseAgentSans([bad])).toThrow(`--agent-san: "${bad}" must be SAN=CLUSTER`);
    }
  });
});
