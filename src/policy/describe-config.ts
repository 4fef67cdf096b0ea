/**
 * `meshlog inspect`'s text: per inbound and outbound of a proxy, which policies matched, in which
 * order (least important first, so the last one listed wins a conflict), and the resolved rule.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { Filtering } from '../api/shared/model.js';
import { sinkDestination } from '../sinks/index.js';
import { describeTarget } from './target-ref.js';
import type { ListenerLogConfig, ProxyLogConfig, ResolvedBackend, ResolvedRule } from './types.js';

function backendText(b: ResolvedBackend): string {
  const where = b.type === 'store' ? 'store' : `${b.type} ${sinkDestination(b)}`;
  const format =
    'format' in b && b.format
      ? 'plain' in b.format
        ? ' (plain format)'
        : ` (json format, ${b.format.json.length} fields)`
      : b.type === 'store'
        ? ''
        : ' (default format)';
  const source = b.source.kind === 'inline' ? 'inline' : `${b.source.kind} ${b.source.mesh ? `${b.source.mesh}/` : ''}${b.source.name}`;
  return `${where}${format}  [${source}]`;
}

function filteringText(f: Filtering | undefined): string | undefined {
  const headers = Object.entries(f?.headers ?? {});
  if (headers.length === 0) return undefined;
  return headers.map(([name, c]) => `${name} ${c.op}${c.value !== undefined ? ` ${c.value}` : ''}`).join(' and ');
}

function conditionText(rule: ResolvedRule): string {
  const parts: string[] = [];
  if (rule.route) parts.push(`requests of ${rule.route.kind} ${rule.route.name}`);
  if (rule.from) parts.push(`from ${describeTarget(rule.from)}`);
  for (const m of rule.matches ?? []) {
    if (m.spiffeID) parts.push(`peer SPIFFE ID ${m.spiffeID.type === 'Exact' ? '=' : 'starts with'} ${m.spiffeID.value}`);
    if (m.sni) parts.push(`SNI = ${m.sni.value}`);
  }
  return parts.length ? parts.join(', ') : 'all traffic';
}

function listenerText(l: ListenerLogConfig): string[] {
  const what = l.destinationKind ? `${l.destinationKind} ${l.service}` : `service ${l.service || '-'}`;
  const lines = [`${l.direction} ${l.name}  (${l.protocol}, ${what})`];
  if (l.rules.length === 0) lines.push('  no policy applies: nothing is logged');
  l.rules.forEach((rule, i) => {
    lines.push(`  rule ${i + 1}: ${conditionText(rule)}`);
    lines.push(
      `    policies (merge order, last wins): ${rule.policies.map((p) => `${p.policy} (${describeTarget(p.targetRef)}, ${p.section}[${p.index}] ${describeTarget(p.entryTargetRef)})`).join(' < ')}`,
    );
    const filtering = filteringText(rule.filtering);
    if (filtering) lines.push(`    filtering: ${filtering}`);
    if (rule.backends.length === 0) lines.push('    backends: none (not logged)');
    else for (const b of rule.backends) lines.push(`    backend: ${backendText(b)}`);
  });
  return lines;
}

export function describeProxyConfig(config: ProxyLogConfig): string {
  const p = config.proxy;
  const lines = [`proxy ${p.id}  (mesh ${p.mesh}, ${p.type}, ${p.origin}${p.zone ? `, zone ${p.zone}` : ''}${p.address ? `, ${p.address}` : ''})`];
  for (const l of [...config.inbounds, ...config.outbounds]) lines.push(...listenerText(l));
  if (config.outbounds.length === 0) lines.push('outbounds: no policy applies to traffic from this proxy');
  for (const e of config.errors) lines.push(`error: ${e}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The AccessLogRecords that select a proxy, beside its MeshAccessLog rules in `inspect`: what the
 * store keeps from it, which is a different question from where its policies send its logs.
 */
export function describeRecords(records: readonly AccessLogRecordLike[]): string {
  if (records.length === 0)
    return 'access log records: none selects this proxy (the store keeps none of its entries unless a policy names the store backend)\n';
  const lines = ['access log records (the store keeps what any of them selects):'];
  for (const r of records) {
    const filters = (r.spec.filters ?? []).map((f) =>
      f.statusCodeMatcher
        ? `status ${f.statusCodeMatcher.comparator ?? 'EQ'} ${f.statusCodeMatcher.value}`
        : `header ${f.headerMatcher!.name}${f.headerMatcher!.invertMatch ? ' not' : ''} ${f.headerMatcher!.regex ? '~' : '='} ${f.headerMatcher!.value ?? '(present)'}`,
    );
    lines.push(`  ${r.namespace}/${r.name}: ${filters.length > 0 ? `requests with ${filters.join(' or ')}` : 'every entry'}`);
  }
  return `${lines.join('\n')}\n`;
}
