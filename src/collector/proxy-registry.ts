/**
 * The proxies the collector has heard from: what `GET /api/v1/proxies` lists and what an
 * AccessLogRecord's status reports as the workloads it selects.
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
}

export function createProxyRegistry(): ProxyRegistry {
  const byNode = new Map<string, SeenProxy>();
  const byIp = new Map<string, ProxyIdentity>();
  const listeners: Array<(identity: ProxyIdentity) => void> = [];
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
      return seen;
    },
    streamClosed(proxy) {
      proxy.activeStreams = Math.max(0, proxy.activeStreams - 1);
      proxy.lastSeen = Date.now();
    },
    list() {
      return [...byNode.values()];
    },
    byIp: (ip) => byIp.get(ip),
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
