/**
 * The proxies the collector has heard from: what `GET /api/v1/proxies` lists and what an
 * AccessLogRecord's status reports as the workloads it selects. A server also lists the proxies
 * its agents report (`report`), so that it sees every cluster.
 */
import type { ProxyIdentity } from '../model/proxy-identity.js';

export interface SeenProxy {
  readonly identity: ProxyIdentity;
  /** Milliseconds since the epoch. */
  readonly firstSeen: number;
  lastSeen: number;
  activeStreams: number;
  entries: number;
}

export interface ProxyRegistry {
  /** Records a stream's identity; returns the shared record to update as entries arrive. */
  streamOpened(identity: ProxyIdentity): SeenProxy;
  streamClosed(proxy: SeenProxy): void;
  list(): readonly SeenProxy[];
  /** The proxy most recently seen with this IP (names the caller of inbound traffic). */
  byIp(ip: string): ProxyIdentity | undefined;
  /** Listeners are told when a proxy is seen for the first time (or its identity changed). */
  onChange(listener: (identity: ProxyIdentity) => void): void;
  /** The proxies another collector hears from (an agent, by its id): replaces what it reported before. */
  report(source: string, proxies: readonly SeenProxy[]): void;
}

export interface ProxyRegistryOptions {
  /** A proxy with no stream open is forgotten after this long (default 15 min). */
  readonly quietTtlMs?: number;
  /** At most this many proxies are remembered; past it the longest quiet are forgotten (default 10,000). */
  readonly maxProxies?: number;
}

/**
 * Memory stays bounded whatever node ids clients send: quiet proxies expire, and the registry holds
 * at most `maxProxies` (a proxy with open streams is never forgotten, and streams are capped).
 */
export function createProxyRegistry(options: ProxyRegistryOptions = {}): ProxyRegistry {
  const quietTtlMs = options.quietTtlMs ?? 15 * 60_000;
  const maxProxies = options.maxProxies ?? 10_000;
  const byNode = new Map<string, SeenProxy>();
  const byIp = new Map<string, ProxyIdentity>();
  const listeners: Array<(identity: ProxyIdentity) => void> = [];
  const reported = new Map<string, Map<string, SeenProxy>>();
  let prunedAt = 0;
  const forget = (key: string, seen: SeenProxy) => {
    byNode.delete(key);
    if (seen.identity.ip && byIp.get(seen.identity.ip) === seen.identity) byIp.delete(seen.identity.ip);
  };
  /** Forgets quiet proxies past their time, and the longest quiet past the size bound. */
  const prune = (now: number, force: boolean) => {
    if (!force && now - prunedAt < 10_000) return;
    prunedAt = now;
    for (const [key, seen] of byNode) if (seen.activeStreams === 0 && now - seen.lastSeen > quietTtlMs) forget(key, seen);
    // An agent's proxies go the same way once it no longer reports them as active.
    for (const [source, map] of reported) {
      for (const [key, seen] of map) if (seen.activeStreams === 0 && now - seen.lastSeen > quietTtlMs) map.delete(key);
      if (map.size === 0) reported.delete(source);
    }
    if (byNode.size <= maxProxies) return;
    // Down to 90% at once: one sort per many new proxies, not one per proxy.
    const quiet = [...byNode].filter(([, seen]) => seen.activeStreams === 0).sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [key, seen] of quiet.slice(0, byNode.size - Math.floor(maxProxies * 0.9))) forget(key, seen);
  };
  return {
    streamOpened(identity) {
      const key = `${identity.nodeId}\n${identity.logName}`;
      const now = Date.now();
      let seen = byNode.get(key);
      if (!seen || JSON.stringify(seen.identity) !== JSON.stringify(identity)) {
        seen = { identity, firstSeen: seen?.firstSeen ?? now, lastSeen: now, activeStreams: seen?.activeStreams ?? 0, entries: seen?.entries ?? 0 };
        byNode.set(key, seen);
        for (const listener of listeners) listener(identity);
      }
      if (identity.ip) byIp.set(identity.ip, identity);
      seen.activeStreams++;
      seen.lastSeen = now;
      prune(now, byNode.size > maxProxies);
      return seen;
    },
    streamClosed(proxy) {
      proxy.activeStreams = Math.max(0, proxy.activeStreams - 1);
      proxy.lastSeen = Date.now();
    },
    list() {
      prune(Date.now(), false);
      return [...byNode.values(), ...[...reported.values()].flatMap((m) => [...m.values()])];
    },
    report(source, proxies) {
      const before = reported.get(source);
      const next = new Map<string, SeenProxy>();
      for (const p of proxies) {
        const key = `${p.identity.workload.clusterName}\n${p.identity.nodeId}\n${p.identity.logName}`;
        const old = before?.get(key);
        // The same identity object while nothing changed: listeners and caches keyed by it stay valid.
        const same = old && JSON.stringify(old.identity) === JSON.stringify(p.identity);
        next.set(key, same ? Object.assign(old, { lastSeen: p.lastSeen, activeStreams: p.activeStreams, entries: p.entries }) : p);
        if (p.identity.ip) byIp.set(p.identity.ip, same ? old.identity : p.identity);
        if (!same) for (const listener of listeners) listener(p.identity);
      }
      reported.set(source, next);
    },
    byIp: (ip) => byIp.get(ip),
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
