/**
 * An entry as the OTLP log record Envoy's OpenTelemetry access logger would build for this
 * backend: the body and attributes formatted, the request's start time, and Envoy's builtin
 * resource attributes plus Kuma's mesh, and its zone and workload when known, so that a receiver
 * cannot tell which of the two exported it.
 */
import { defaultFormatFor } from '../../format/default-formats.js';
import type { EntryKind } from '../../model/entry.js';
import type { ProxyIdentity } from '../../model/proxy-identity.js';
import type { RecordCompiler } from '../types.js';
import type { OtelBackendConfig } from './config.js';
import { compileOtelTemplate } from './otel-template.js';
import { builtinResource, entryTimeUnixNano, type OtelLogRecord } from './otel-types.js';

export function compileLogRecord(config: OtelBackendConfig, kind: EntryKind): RecordCompiler<OtelLogRecord> {
  const template = compileOtelTemplate(config.body ?? defaultFormatText(kind), config.attributes ?? []);
  if (!template.ok) {
    // Validation refuses such a body when the policy is applied; reaching here is a bug.
    throw new Error(`the openTelemetry backend's body or attributes do not compile: ${template.violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
  }
  // One resource per stream's proxy, built on its first entry: records of a batch share it.
  const resources = new WeakMap<ProxyIdentity, Record<string, string>>();
  return (entry, context, identity) => {
    let resource = resources.get(identity);
    if (!resource) {
      const base = { logName: identity.logName, zoneName: context.proxy.zone ?? '', clusterName: identity.nodeCluster, nodeName: identity.nodeId };
      resource = builtinResource(base, {
        'kuma.mesh': context.proxy.mesh ?? '',
        ...(context.proxy.zone ? { 'kuma.zone': context.proxy.zone } : {}),
        ...(context.proxy.workload ? { 'kuma.workload': context.proxy.workload } : {}),
      });
      resources.set(identity, resource);
    }
    const { body, attributes } = template.render(entry, context);
    return { timeUnixNano: entryTimeUnixNano(entry), body, attributes, resource };
  };
}

function defaultFormatText(kind: EntryKind): string {
  const spec = defaultFormatFor(kind);
  return 'plain' in spec ? spec.plain : '';
}
