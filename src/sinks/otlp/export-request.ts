/**
 * Builds and encodes one `ExportLogsServiceRequest` per batch, records grouped by resource as
 * Envoy's OpenTelemetry access logger sends them: a `ResourceLogs` per distinct resource, holding
 * one `ScopeLogs` with the records in the order they came.
 */
import type protobuf from 'protobufjs';
import { loadProtoFiles } from '../../envoy/protos.js';
import type { OtelLogRecord } from './otel-types.js';

export const logsServiceProto = 'opentelemetry/proto/collector/logs/v1/logs_service.proto';
export const exportMethodPath = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

let requestType: protobuf.Type | undefined;

/** `ExportLogsServiceRequest` from the shipped OTLP protos, loaded once. */
export function exportRequestType(): protobuf.Type {
  requestType ??= loadProtoFiles([logsServiceProto]).lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  return requestType;
}

// The pipeline hands the same resource object for every entry of a proxy: its key is built once.
const keys = new WeakMap<object, string>();

function resourceKey(resource: Readonly<Record<string, string>>): string {
  let key = keys.get(resource);
  if (key === undefined) {
    key = JSON.stringify(Object.entries(resource).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    keys.set(resource, key);
  }
  return key;
}

/** The request as a plain object in protobufjs's (camelCase) shape. */
export function buildExportRequest(batch: readonly OtelLogRecord[]): { resourceLogs: unknown[] } {
  const groups = new Map<string, { resource: Readonly<Record<string, string>>; logRecords: unknown[] }>();
  for (const record of batch) {
    const key = resourceKey(record.resource);
    let group = groups.get(key);
    if (group === undefined) {
      group = { resource: record.resource, logRecords: [] };
      groups.set(key, group);
    }
    group.logRecords.push({ timeUnixNano: String(record.timeUnixNano), body: record.body, attributes: record.attributes });
  }
  const resourceLogs: unknown[] = [];
  for (const { resource, logRecords } of groups.values()) {
    resourceLogs.push({
      resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
      scopeLogs: [{ logRecords }],
    });
  }
  return { resourceLogs };
}

export function encodeExportRequest(batch: readonly OtelLogRecord[]): Uint8Array {
  const type = exportRequestType();
  return type.encode(type.fromObject(buildExportRequest(batch))).finish();
}
