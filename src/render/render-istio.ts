/**
 * `renderIstio`: the same policies for an Istio mesh, through Istio's own API instead of raw
 * Envoy config. The `meshConfig` fragment points every sidecar's ALS at the agent (as Gloo Mesh
 * requires, with `GLOO_MESH_CLUSTER_NAME` so the agent can place the workload) and declares one
 * extension provider per distinct logger; a `telemetry.istio.io/v1` `Telemetry` for the proxy's
 * workload turns each provider on with a CEL filter that selects the listener (by Istio's
 * cluster names: `inbound|PORT||`, `outbound|PORT|SUBSET|HOST`) and the
 * requests the rule logs. Istio providers have one format per provider, so placeholders are
 * substituted per listener and identical providers are shared.
 */
import { createHash } from 'node:crypto';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { InventoryProxy } from '../api/dataplane/model.js';
import type { BackendConfig } from '../api/shared/model.js';
import { listenerLogName, recordsLogName } from '../envoy/log-name.js';
import { defaultFormatFor } from '../format/default-formats.js';
import type { FormatSpec } from '../format/types.js';
import type { ListenerLogConfig, ProxyLogConfig } from '../policy/types.js';
import { agentData, loggedRules, type RenderOptions, warnOnce } from './build-access-logs.js';
import { otlpGrpcEndpoint } from './clusters.js';
import type { Condition } from './conditions.js';
import { type Json, parenthesize, toCel } from './filters.js';
import { emptyLoggedData, type LoggedData } from './formats.js';
import { recordsLoggedData } from './loggers.js';
import { interpolate, type PlaceholderValues, placeholderValues } from './placeholders.js';
import { recordsCondition } from './rule-conditions.js';

export interface RenderedIstio {
  /** Merge into Istio's `meshConfig` (IstioOperator `spec.meshConfig`, or the `istio` ConfigMap's `mesh`). */
  readonly meshConfig: Json;
  /** Kubernetes resources to apply. */
  readonly resources: Json[];
  readonly warnings: string[];
}

type Mode = 'CLIENT' | 'SERVER';

interface Provider {
  readonly name: string;
  readonly body: Json;
  readonly modes: Set<Mode>;
  readonly conditions: string[];
}

export function renderIstio(config: ProxyLogConfig, records: readonly AccessLogRecordLike[], options: RenderOptions): RenderedIstio {
  const out = { warnings: [] as string[] };
  const providers = new Map<string, Provider>();
  const use = (name: string, body: Json, mode: Mode | 'both', condition: string) => {
    let p = providers.get(name);
    if (!p) providers.set(name, (p = { name, body, modes: new Set(), conditions: [] }));
    for (const m of mode === 'both' ? (['CLIENT', 'SERVER'] as const) : [mode]) p.modes.add(m);
    if (!p.conditions.includes(condition)) p.conditions.push(condition);
  };
  for (const listener of [...config.inbounds, ...config.outbounds]) {
    const warn = warnOnce(out, `${listener.name}: `);
    const values = placeholderValues(config.proxy, listener);
    const mode: Mode = listener.direction === 'inbound' ? 'SERVER' : 'CLIENT';
    for (const { rule, condition } of loggedRules(config, listener, warn)) {
      const cel = and(listenerCel(listener), condition);
      if (cel.includes('uri_san_peer_certificate'))
        warn('caller conditions compare Kuma SPIFFE IDs (spiffe://MESH/SERVICE); Istio peers present spiffe://TRUST_DOMAIN/ns/NS/sa/ACCOUNT');
      const viaAgent: BackendConfig[] = [];
      for (const backend of rule.backends) {
        if (backend.type === 'file') {
          const body = { envoyFileAccessLog: { path: backend.path, logFormat: fileFormat(backend.format, listener.protocol, values) } };
          use(hashedName('meshlog-file', body), body, mode, cel);
        } else if (backend.type === 'openTelemetry' && otlpGrpcEndpoint(backend.endpoint) && !backend.tls) {
          const body = otelProvider(backend, listener, values, warn);
          use(hashedName('meshlog-otel', body), body, mode, cel);
        } else {
          if (backend.type === 'openTelemetry' && backend.tls)
            warn(`OpenTelemetry endpoint ${backend.endpoint} wants TLS, which Istio's envoyOtelAls cannot set: entries go to the agent, which exports them`);
          viaAgent.push(backend);
        }
      }
      if (viaAgent.length > 0) {
        const body = alsProvider(listener.protocol, listenerLogName(listener), agentData(viaAgent, listener.protocol), options);
        use(`meshlog-als-${slug(listener.name)}`, body, mode, cel);
      }
    }
  }
  if (records.length > 0) {
    const condition = recordsCondition(records, warnOnce(out, ''));
    if (condition.kind !== 'false') {
      const data = emptyLoggedData();
      recordsLoggedData(records, data);
      use('meshlog-records', alsProvider('http', recordsLogName, data, options), 'both', toCel(condition));
      use('meshlog-records-tcp', alsProvider('tcp', recordsLogName, data, options), 'both', toCel(condition));
    }
  }
  const meshConfig: Json = {
    defaultConfig: {
      envoyAccessLogService: { address: `${options.agent.address}:${options.agent.port}` },
      proxyMetadata: { GLOO_MESH_CLUSTER_NAME: options.agent.clusterName },
    },
    extensionProviders: [...providers.values()].map((p) => ({ name: p.name, ...p.body })),
  };
  const resources = providers.size > 0 ? [telemetry(config.proxy, [...providers.values()])] : [];
  return { meshConfig, resources, warnings: out.warnings };
}

function and(left: string, condition: Condition): string {
  const right = toCel(condition);
  return right === 'true' ? left : `${parenthesize(left)} && ${parenthesize(right)}`;
}

function regexQuote(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

export function listenerCel(listener: ListenerLogConfig): string {
  // Istio names the inbound cluster of port P `inbound|P||`: unlike `destination.port`, it also says the direction.
  // A proxy discovered from its logs has no known port (0): any inbound cluster is its own.
  if (listener.direction === 'inbound') return `xds.cluster_name.startsWith(${JSON.stringify(listener.port > 0 ? `inbound|${listener.port}|` : 'inbound|')})`;
  const pattern = `^outbound\\|${listener.port}\\|[^|]*\\|${regexQuote(listener.service)}(\\..*)?$`;
  return `xds.cluster_name.matches(${JSON.stringify(pattern)})`;
}

function fileFormat(spec: FormatSpec | undefined, protocol: 'http' | 'tcp', values: PlaceholderValues): Json {
  const format = spec ?? defaultFormatFor(protocol);
  if ('plain' in format) return { text: interpolate(`${format.plain}\n`, values) };
  return { labels: Object.fromEntries(format.json.map((e) => [e.key, interpolate(e.value, values)])) };
}

function otelProvider(
  backend: Extract<BackendConfig, { type: 'openTelemetry' }>,
  listener: ListenerLogConfig,
  values: PlaceholderValues,
  warn: (m: string) => void,
): Json {
  const endpoint = otlpGrpcEndpoint(backend.endpoint)!;
  const body = backend.body;
  let text: string;
  if (body === undefined) {
    const format = defaultFormatFor(listener.protocol);
    text = 'plain' in format ? format.plain : '';
  } else if (typeof body === 'string') text = body;
  else {
    warn(`OpenTelemetry body is structured; Istio's envoyOtelAls takes a text body, so it is sent as its JSON text`);
    text = JSON.stringify(body);
  }
  warn(`Istio's envoyOtelAls cannot set resource attributes: kuma.mesh and kuma.zone are left out`);
  const labels = Object.fromEntries((backend.attributes ?? []).map((a) => [interpolate(a.key, values), interpolate(a.value, values)]));
  return {
    envoyOtelAls: {
      service: endpoint.host,
      port: endpoint.port,
      logName: listenerLogName(listener),
      logFormat: { text: interpolate(text, values), ...(Object.keys(labels).length > 0 ? { labels } : {}) },
    },
  };
}

function alsProvider(protocol: 'http' | 'tcp', logName: string, data: LoggedData, options: RenderOptions): Json {
  const common: Json = { service: options.agent.address, port: options.agent.port, logName };
  if (data.filterStateObjects.size > 0) common['filterStateObjectsToLog'] = [...data.filterStateObjects].sort();
  if (protocol === 'tcp') return { envoyTcpAls: common };
  if (data.requestHeaders.size > 0) common['additionalRequestHeadersToLog'] = [...data.requestHeaders].sort();
  if (data.responseHeaders.size > 0) common['additionalResponseHeadersToLog'] = [...data.responseHeaders].sort();
  if (data.responseTrailers.size > 0) common['additionalResponseTrailersToLog'] = [...data.responseTrailers].sort();
  return { envoyHttpAls: common };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Same provider, same name: a short hash of its definition. */
function hashedName(prefix: string, body: Json): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 10)}`;
}

/**
 * The labels that select the proxy's workload: `app` and `version` (the labels Istio itself keys
 * workloads by), never the labels the platform injects (`pod-template-hash`, `security.istio.io/tlsMode`,
 * `service.istio.io/canonical-*`), which change per rollout or say nothing about the workload.
 */
export function workloadLabels(proxy: InventoryProxy): Record<string, string> {
  const labels = proxy.identity && Object.keys(proxy.identity.labels).length > 0 ? proxy.identity.labels : tagLabels(proxy);
  const chosen = Object.fromEntries(['app', 'version'].filter((k) => labels[k]).map((k) => [k, labels[k]!]));
  if (chosen['app']) return chosen;
  const own = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== 'pod-template-hash' && !/(^|\.)istio\.io\//.test(k)));
  return Object.keys(own).length > 0 ? own : { app: proxy.name };
}

/** A Dataplane's tags as labels, without Kuma's own. */
function tagLabels(proxy: InventoryProxy): Record<string, string> {
  const tags = proxy.inbounds[0]?.tags ?? proxy.gatewayTags ?? {};
  const labels = Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('kuma.io/') && !k.includes('.kuma.io/')));
  return Object.keys(labels).length > 0 ? labels : { app: tags['kuma.io/service'] ?? proxy.name };
}

/** The namespace of the proxy's workload (Kuma's `k8s.kuma.io/namespace` tag for a Dataplane). */
export function workloadNamespace(proxy: InventoryProxy): string {
  return proxy.identity?.workload.namespace || proxy.inbounds[0]?.tags['k8s.kuma.io/namespace'] || 'default';
}

export function workloadSlug(proxy: InventoryProxy): string {
  return slug(proxy.identity?.workload.name || proxy.name);
}

function telemetry(proxy: InventoryProxy, providers: readonly Provider[]): Json {
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: `meshlog-${workloadSlug(proxy)}`, namespace: workloadNamespace(proxy) },
    spec: {
      selector: { matchLabels: workloadLabels(proxy) },
      accessLogging: providers.map((p) => ({
        providers: [{ name: p.name }],
        match: { mode: p.modes.size === 2 ? 'CLIENT_AND_SERVER' : [...p.modes][0] },
        ...(p.conditions.includes('true') ? {} : { filter: { expression: p.conditions.map(parenthesize).join(' || ') } }),
      })),
    },
  };
}
