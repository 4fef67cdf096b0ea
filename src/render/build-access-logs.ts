/**
 * The heart of `render`: for each listener of a proxy, the loggers its rules need, each with the
 * filter that makes Envoy log exactly the entries its rule takes.
 *
 * Rules are most specific first and the first whose conditions hold applies, so rule N logs
 * `cond(N) ∧ ¬cond(0) ∧ … ∧ ¬cond(N-1) ∧ filtering(N)`: a rule's `filtering` narrows what it
 * logs, not what it takes. Files and OTLP/gRPC are written by Envoy itself; `tcp`, `store` and
 * OTLP/HTTP backends go to the agent over one gRPC logger per rule (log name per listener, see
 * `log-name.ts`), which formats and forwards them. Records add one more gRPC logger per listener.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { BackendConfig } from '../api/shared/model.js';
import { listenerLogName, recordsLogName } from '../envoy/log-name.js';
import type { ListenerLogConfig, ProxyLogConfig, ResolvedRule } from '../policy/types.js';
import { agentCluster, agentClusterName, otelClusterName, otlpGrpcEndpoint, singleHostCluster } from './clusters.js';
import { and, type Condition, negate } from './conditions.js';
import { type Json, toAccessLogFilter } from './filters.js';
import { collectLoggedData, emptyLoggedData, formatStrings, type LoggedData } from './formats.js';
import { agentLogger, fileLogger, otelLogger, recordsLoggedData } from './loggers.js';
import { otelBody } from './otel-body.js';
import { type PlaceholderValues, placeholderValues } from './placeholders.js';
import { filteringCondition, recordsCondition, ruleCondition, type Warn } from './rule-conditions.js';

export interface AgentOptions {
  /** The mesh cluster (Kubernetes cluster) the agent and the proxy run in: Gloo's `GLOO_MESH_CLUSTER_NAME`. */
  readonly clusterName: string;
  /** Where Envoy reaches the agent's ALS port (default 9977). */
  readonly address: string;
  readonly port: number;
}

export interface RenderOptions {
  readonly agent: AgentOptions;
}

export interface RenderedListener {
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly protocol: 'http' | 'tcp';
  readonly address: string;
  readonly port: number;
  readonly service: string;
  /** The HCM's or tcp_proxy's `access_log`. */
  readonly access_log: Json[];
}

export interface RenderedAccessLogs {
  readonly listeners: RenderedListener[];
  /** The clusters the loggers send to, by name. */
  readonly clusters: Json[];
  readonly warnings: string[];
}

interface Output {
  readonly clusters: Map<string, Json>;
  readonly warnings: string[];
  readonly options: RenderOptions;
}

export function warnOnce(out: { readonly warnings: string[] }, prefix: string): Warn {
  return (message) => {
    const text = `${prefix}${message}`;
    if (!out.warnings.includes(text)) out.warnings.push(text);
  };
}

export function buildAccessLogs(config: ProxyLogConfig, records: readonly AccessLogRecordLike[], options: RenderOptions): RenderedAccessLogs {
  const out: Output = { clusters: new Map(), warnings: [], options };
  for (const e of config.errors) warnOnce(out, 'policy: ')(e);
  const recordsFilter = records.length > 0 ? recordsCondition(records, warnOnce(out, '')) : undefined;
  const recordsData = emptyLoggedData();
  recordsLoggedData(records, recordsData);
  const listeners = [...config.inbounds, ...config.outbounds].map((listener) => {
    const access_log = listenerLoggers(config, listener, out);
    if (recordsFilter !== undefined && recordsFilter.kind !== 'false') {
      access_log.push(agentLogger(listener.protocol, recordsLogName, toAccessLogFilter(recordsFilter), recordsData));
      useAgent(out);
    }
    return {
      name: listener.name,
      direction: listener.direction,
      protocol: listener.protocol,
      address: listener.address,
      port: listener.port,
      service: listener.service,
      access_log,
    };
  });
  return { listeners, clusters: [...out.clusters.values()], warnings: out.warnings };
}

function useAgent(out: Output): void {
  const { address, port } = out.options.agent;
  out.clusters.set(agentClusterName, agentCluster({ host: address, port }));
}

function listenerLoggers(config: ProxyLogConfig, listener: ListenerLogConfig, out: Output): Json[] {
  const warn = warnOnce(out, `${listener.name}: `);
  const values = placeholderValues(config.proxy, listener);
  return loggedRules(config, listener, warn).flatMap(({ rule, condition }) => ruleLoggers(rule, listener, values, condition, warn, out));
}

export interface LoggedRule {
  readonly rule: ResolvedRule;
  /** What the rule's backends log: the requests it takes (and no earlier rule takes) that its filtering keeps. */
  readonly condition: Condition;
}

/** The listener's rules that log anything, each with the condition its loggers filter on. */
export function loggedRules(config: ProxyLogConfig, listener: ListenerLogConfig, warn: Warn): LoggedRule[] {
  const logged: LoggedRule[] = [];
  const taken: Condition[] = [];
  for (const rule of listener.rules) {
    const condition = ruleCondition(rule, config.proxy.mesh, listener.protocol, warn);
    const effective = and(condition, ...taken.map(negate));
    taken.push(condition);
    if (rule.backends.length === 0 || condition.kind === 'false') continue;
    if (effective.kind === 'false') {
      warn(`the rule ${describeRule(rule)} takes no request that a more specific rule does not take first: its backends get nothing`);
      continue;
    }
    const filtered = and(effective, filteringCondition(rule.filtering?.headers, warn));
    if (filtered.kind !== 'false') logged.push({ rule, condition: filtered });
  }
  return logged;
}

function describeRule(rule: ResolvedRule): string {
  const parts = [rule.from ? `from ${rule.from.kind}${rule.from.name ? ` ${rule.from.name}` : ''}` : '', rule.route ? `route ${rule.route.name}` : ''];
  return parts.filter((p) => p !== '').join(', ') || '(catch-all)';
}

function ruleLoggers(rule: ResolvedRule, listener: ListenerLogConfig, values: PlaceholderValues, condition: Condition, warn: Warn, out: Output): Json[] {
  const filter = condition.kind === 'true' ? undefined : toAccessLogFilter(condition);
  const loggers: Json[] = [];
  const viaAgent: BackendConfig[] = [];
  for (const backend of rule.backends) {
    switch (backend.type) {
      case 'file':
        loggers.push(fileLogger(backend, listener.protocol, values, filter, warn));
        break;
      case 'openTelemetry': {
        const endpoint = otlpGrpcEndpoint(backend.endpoint);
        if (!endpoint) {
          warn(
            `OpenTelemetry endpoint ${backend.endpoint}: Envoy's OpenTelemetry logger speaks OTLP/gRPC only, so entries go to the agent, which exports them over OTLP/HTTP`,
          );
          viaAgent.push(backend);
          break;
        }
        const cluster = otelClusterName(endpoint, backend.tls);
        out.clusters.set(cluster, singleHostCluster(cluster, endpoint, true, true, backend.tls));
        const body = otelBody(backend.body, listener.protocol, values);
        loggers.push(otelLogger(backend, body, listenerLogName(listener), cluster, values, filter));
        break;
      }
      default:
        // tcp, the store, and any sink Envoy has no logger for: the agent formats and delivers.
        viaAgent.push(backend);
        break;
    }
  }
  if (viaAgent.length > 0) {
    loggers.push(agentLogger(listener.protocol, listenerLogName(listener), filter, agentData(viaAgent, listener.protocol)));
    useAgent(out);
  }
  return loggers;
}

/** What the agent needs Envoy to send so that it can format these backends' entries. */
export function agentData(backends: readonly BackendConfig[], protocol: 'http' | 'tcp'): LoggedData {
  const data = emptyLoggedData();
  for (const b of backends) {
    if (b.type === 'store') continue;
    if (b.type === 'openTelemetry') {
      const strings = [...(b.attributes ?? []).map((a) => a.value), ...jsonStrings(b.body)];
      collectLoggedData(b.body === undefined ? [...strings, ...formatStrings(undefined, protocol)] : strings, data);
      continue;
    }
    // tcp, and any other sink: its format, or the default one when it has none.
    collectLoggedData(formatStrings('format' in b ? b.format : undefined, protocol), data);
  }
  return data;
}

function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [k, ...jsonStrings(v)]);
  return [];
}
