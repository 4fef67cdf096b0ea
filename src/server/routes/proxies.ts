/**
 * `GET /api/v1/proxies`: the inventory — proxies declared as `Dataplane` resources and proxies the
 * collector has heard from — and `GET /api/v1/proxies/{id}/policies`: what the MeshAccessLog
 * policies resolve to for one of them, per inbound and outbound (`?format=text` for `inspect`'s view),
 * and `GET /api/v1/proxies/{id}/envoy`: that as Envoy configuration (`?view=access-logs|bootstrap|istio|envoyfilter|meshproxypatch`,
 * `agent=HOST:PORT` where Envoy reaches the agent, `clusterName=` for Gloo's cluster name).
 */
import type { Hono } from 'hono';
import type { InventoryProxy } from '../../api/dataplane/model.js';
import type { ProxyRegistry, SeenProxy } from '../../collector/proxy-registry.js';
import {
  describeProxyConfig,
  describeRecords,
  findProxy,
  mergeInventory,
  type PolicyContext,
  proxyNotFound,
  recordsForProxy,
  resolveProxy,
  resolveProxyForInspection,
} from '../../policy/index.js';
import { workloadRefJson } from '../../protojson/items.js';
import { parseEndpoint } from '../../render/clusters.js';
import { renderAccessLogs, renderBootstrap, renderEnvoyFilter, renderIstio, renderMeshProxyPatch } from '../../render/index.js';

/** `?view=` of `GET /api/v1/proxies/{id}/envoy`. */
export const envoyViews = ['access-logs', 'bootstrap', 'istio', 'envoyfilter', 'meshproxypatch'];

export interface ProxyRouteDeps {
  readonly proxies: ProxyRegistry;
  /** The resources in force; absent in a server without resources (tests of the log API alone). */
  readonly policyContext?: () => PolicyContext;
}

/**
 * Entries per second of each proxy, from samples of its entry count taken when the route is read:
 * over the last minute of samples, or since the proxy was first seen when there is no earlier
 * sample (the first read after a start). No timer: a server nobody asks pays nothing.
 */
function createRateSampler() {
  const samples = new WeakMap<SeenProxy, Array<{ at: number; entries: number }>>();
  return (p: SeenProxy, now: number): { entriesPerSecond: number; rateSeconds: number } => {
    const list = samples.get(p) ?? [];
    samples.set(p, list);
    if (list.length === 0 || now - list.at(-1)!.at >= 1000) list.push({ at: now, entries: p.entries });
    while (list.length > 1 && now - list[1]!.at >= 60_000) list.shift();
    const oldest = list[0]!;
    const [from, count] = now - oldest.at >= 1000 ? [oldest.at, p.entries - oldest.entries] : [p.firstSeen, p.entries];
    const seconds = Math.max(1, (now - from) / 1000);
    return { entriesPerSecond: Math.round((count / seconds) * 100) / 100, rateSeconds: Math.round(seconds) };
  };
}

function seenJson(p: SeenProxy, rate: { entriesPerSecond: number; rateSeconds: number }) {
  return {
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
    ...rate,
    firstSeen: new Date(p.firstSeen).toISOString(),
    lastSeen: new Date(p.lastSeen).toISOString(),
  };
}

export function inventory(deps: ProxyRouteDeps): InventoryProxy[] {
  return mergeInventory(
    deps.policyContext?.().proxies ?? [],
    deps.proxies.list().map((p) => p.identity),
  );
}

/** Proxies per page of `GET /api/v1/proxies` (`?limit=`, `?cursor=` for the next page). */
const defaultProxyPage = 1000;
const maxProxyPage = 5000;

export function addProxyRoutes(app: Hono, deps: ProxyRouteDeps): void {
  const rateOf = createRateSampler();
  app.get('/api/v1/proxies', (c) => {
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? defaultProxyPage : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxProxyPage)
      return c.json({ error: `limit: must be a whole number from 1 to ${maxProxyPage}, not "${limitText}"` }, 400);
    const cursorText = c.req.query('cursor');
    const offset = cursorText === undefined ? 0 : Number(Buffer.from(cursorText, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) return c.json({ error: `cursor: "${cursorText}" is not a cursor this server returned` }, 400);
    const seen = new Map(deps.proxies.list().map((p) => [p.identity, p]));
    const now = Date.now();
    const all = inventory(deps).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    return c.json({
      ...(next ? { nextCursor: next } : {}),
      items: page.map((proxy) => {
        const s = proxy.identity ? seen.get(proxy.identity) : undefined;
        return {
          id: proxy.id,
          origin: proxy.origin,
          mesh: proxy.mesh,
          name: proxy.name,
          type: proxy.type,
          address: proxy.address,
          ...(proxy.zone ? { zone: proxy.zone } : {}),
          inbounds: proxy.inbounds,
          outbounds: proxy.outbounds,
          ...(s ? seenJson(s, rateOf(s, now)) : {}),
        };
      }),
    });
  });
  app.get('/api/v1/proxies/:id/policies', (c) => {
    const id = c.req.param('id');
    const context = deps.policyContext?.();
    const all = inventory(deps);
    const proxy = findProxy(all, id);
    if (!proxy || !context) return c.json({ error: proxyNotFound(all, id) }, 404);
    const config = resolveProxyForInspection(context.set, proxy);
    const records = recordsForProxy(context.records, proxy);
    if (c.req.query('format') === 'text') return c.text(describeProxyConfig(config) + describeRecords(records));
    return c.json({ ...config, accessLogRecords: records });
  });
  app.get('/api/v1/proxies/:id/envoy', (c) => {
    const id = c.req.param('id');
    const view = c.req.query('view') ?? 'access-logs';
    if (!envoyViews.includes(view)) return c.json({ error: `view: must be ${envoyViews.join(', ')}, not "${view}"` }, 400);
    const agentText = c.req.query('agent') ?? '127.0.0.1:9977';
    const agent = parseEndpoint(agentText);
    if (!agent) return c.json({ error: `agent: must be HOST:PORT, not "${agentText}"` }, 400);
    const context = deps.policyContext?.();
    const all = inventory(deps);
    const proxy = findProxy(all, id);
    if (!proxy || !context) return c.json({ error: proxyNotFound(all, id) }, 404);
    const config = resolveProxy(context.set, proxy);
    const records = recordsForProxy(context.records, proxy);
    const options = { agent: { clusterName: c.req.query('clusterName') ?? proxy.zone ?? 'default', address: agent.host, port: agent.port } };
    if (view === 'bootstrap') return c.json(renderBootstrap(config, records, options));
    if (view === 'istio') return c.json(renderIstio(config, records, options));
    if (view === 'envoyfilter') return c.json(renderEnvoyFilter(config, records, options));
    if (view === 'meshproxypatch') return c.json(renderMeshProxyPatch(config, records, options));
    return c.json(renderAccessLogs(config, records, options));
  });
}
