import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { createProxyRegistry } from './proxy-registry.js';

function identity(i: number): ProxyIdentity {
  return {
    nodeId: `node-${i}`,
    nodeCluster: '',
    logName: 'l',
    flavor: 'envoy',
    proxyType: 'proxy',
    workload: { name: `w${i}`, namespace: 'ns', clusterName: 'c' },
    instance: `w${i}-x`,
    ip: `10.0.0.${i}`,
    labels: {},
    mesh: '',
    apiVersion: 'v3',
  };
}

describe('proxy registry', () => {
  afterEach(() => vi.restoreAllMocks());

  it('forgets proxies that went quiet, never those with a stream open', () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const registry = createProxyRegistry({ quietTtlMs: 60_000 });
    const open = registry.streamOpened(identity(1));
    const quiet = registry.streamOpened(identity(2));
    registry.streamClosed(quiet);
    now += 59_000;
    expect(registry.list()).toHaveLength(2);
    now += 20_000;
    expect(registry.list().map((p) => p.identity.nodeId)).toEqual(['node-1']);
    expect(registry.byIp('10.0.0.2')).toBeUndefined();
    expect(registry.byIp('10.0.0.1')).toBe(open.identity);
  });

  it('holds at most its bound of proxies whatever node ids arrive, forgetting the longest quiet', () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const registry = createProxyRegistry({ maxProxies: 3 });
    for (let i = 0; i < 2_100; i++) {
      now += 1;
      registry.streamClosed(registry.streamOpened(identity(i)));
    }
    const left = registry.list();
    expect(left.length).toBeLessThanOrEqual(3);
    expect(left.map((p) => p.identity.nodeId)).toContain('node-2099');
  });
});
