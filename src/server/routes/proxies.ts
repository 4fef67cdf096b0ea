/**
 * `GET /api/v1/proxies`: the proxies the collector has heard from, with their workloads.
 */
import type { Hono } from 'hono';
import type { ProxyRegistry } from '../../collector/proxy-registry.js';
import { workloadRefJson } from '../entry-json.js';

export function addProxyRoutes(app: Hono, deps: { readonly proxies: ProxyRegistry }): void {
  app.get('/api/v1/proxies', (c) =>
    c.json({
      items: deps.proxies.list().map((p) => ({
        id: p.identity.nodeId,
        logName: p.identity.logName,
        flavor: p.identity.flavor,
        proxyType: p.identity.proxyType,
        workloadRef: workloadRefJson(p.identity.workload),
        instance: p.identity.instance,
        ip: p.identity.ip,
        labels: p.identity.labels,
        ...(p.identity.mesh ? { mesh: p.identity.mesh } : {}),
        apiVersion: p.identity.apiVersion,
        activeStreams: p.activeStreams,
        entries: p.entries,
        firstSeen: new Date(p.firstSeen).toISOString(),
        lastSeen: new Date(p.lastSeen).toISOString(),
      })),
    }),
  );
}
