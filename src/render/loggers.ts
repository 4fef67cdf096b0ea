/**
 * One Envoy `envoy.config.accesslog.v3.AccessLog` per logger: file, gRPC ALS to the agent (HTTP or
 * TCP flavour), and OpenTelemetry. Each takes the filter its rule computed and the listener's
 * placeholder values; none decides which entries it logs.
 */

import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { BackendConfig } from '../api/shared/model.js';
import { agentClusterName } from './clusters.js';
import type { Json } from './filters.js';
import { type LoggedData, substitutionFormat } from './formats.js';
import { interpolate, type PlaceholderValues } from './placeholders.js';

const typePrefix = 'type.googleapis.com/';
export const loggerNames = {
  file: 'envoy.access_loggers.file',
  httpGrpc: 'envoy.access_loggers.http_grpc',
  tcpGrpc: 'envoy.access_loggers.tcp_grpc',
  openTelemetry: 'envoy.access_loggers.open_telemetry',
} as const;

function accessLog(name: string, filter: Json | undefined, typedConfig: Json): Json {
  return { name, ...(filter ? { filter } : {}), typed_config: typedConfig };
}

export function fileLogger(
  backend: Extract<BackendConfig, { type: 'file' }>,
  protocol: 'http' | 'tcp',
  values: PlaceholderValues,
  filter: Json | undefined,
  warn: (m: string) => void,
): Json {
  return accessLog(loggerNames.file, filter, {
    '@type': `${typePrefix}envoy.extensions.access_loggers.file.v3.FileAccessLog`,
    path: backend.path,
    log_format: substitutionFormat(backend.format, protocol, values, warn),
  });
}

function grpcCommon(logName: string, clusterName: string): Json {
  return { log_name: logName, grpc_service: { envoy_grpc: { cluster_name: clusterName } }, transport_api_version: 'V3' };
}

function sorted(set: ReadonlySet<string>): string[] {
  return [...set].sort();
}

/**
 * ALS to the agent: `http_grpc` on HTTP listeners (with the headers the agent's formats and the
 * records read), `tcp_grpc` on TCP ones (which carry no headers).
 */
export function agentLogger(protocol: 'http' | 'tcp', logName: string, filter: Json | undefined, logged: LoggedData): Json {
  const common: Json = grpcCommon(logName, agentClusterName);
  if (logged.filterStateObjects.size > 0) common['filter_state_objects_to_log'] = sorted(logged.filterStateObjects);
  if (protocol === 'tcp') {
    return accessLog(loggerNames.tcpGrpc, filter, {
      '@type': `${typePrefix}envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig`,
      common_config: common,
    });
  }
  const config: Json = { '@type': `${typePrefix}envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig`, common_config: common };
  if (logged.requestHeaders.size > 0) config['additional_request_headers_to_log'] = sorted(logged.requestHeaders);
  if (logged.responseHeaders.size > 0) config['additional_response_headers_to_log'] = sorted(logged.responseHeaders);
  if (logged.responseTrailers.size > 0) config['additional_response_trailers_to_log'] = sorted(logged.responseTrailers);
  return accessLog(loggerNames.httpGrpc, filter, config);
}

/** The union of what the records ask Envoy to include (header names are case-insensitive). */
export function recordsLoggedData(records: readonly AccessLogRecordLike[], into: LoggedData): void {
  for (const r of records) {
    for (const h of r.spec.includedRequestHeaders ?? []) into.requestHeaders.add(h.toLowerCase());
    for (const h of r.spec.includedResponseHeaders ?? []) into.responseHeaders.add(h.toLowerCase());
    for (const h of r.spec.includedResponseTrailers ?? []) into.responseTrailers.add(h.toLowerCase());
    for (const f of r.spec.includedFilterStateObjects ?? []) into.filterStateObjects.add(f);
  }
}

export function otelLogger(
  backend: Extract<BackendConfig, { type: 'openTelemetry' }>,
  body: Json,
  logName: string,
  clusterName: string,
  values: PlaceholderValues,
  filter: Json | undefined,
): Json {
  const resource = [{ key: 'kuma.mesh', value: { string_value: values['KUMA_MESH'] ?? '' } }];
  if (values['KUMA_ZONE']) resource.push({ key: 'kuma.zone', value: { string_value: values['KUMA_ZONE'] } });
  if (values['KUMA_WORKLOAD']) resource.push({ key: 'kuma.workload', value: { string_value: values['KUMA_WORKLOAD'] } });
  const config: Json = {
    '@type': `${typePrefix}envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig`,
    common_config: grpcCommon(logName, clusterName),
    body,
    resource_attributes: { values: resource },
  };
  if (backend.attributes && backend.attributes.length > 0) {
    config['attributes'] = {
      values: backend.attributes.map((a) => ({ key: interpolate(a.key, values), value: { string_value: interpolate(a.value, values) } })),
    };
  }
  return accessLog(loggerNames.openTelemetry, filter, config);
}
