/**
 * The `openTelemetry` sink: access-log records exported to an OTLP logs receiver, over gRPC to a
 * `host:port` endpoint or OTLP/HTTP protobuf to an `http(s)://` URL, one `ExportLogsServiceRequest`
 * per batch with records grouped by resource. Also the compiler of a backend's `body` and
 * `attributes`, which the pipeline uses to turn an entry into an `OtelLogRecord`.
 */
import type { Violation } from '../../model/violations.js';
import { createSink } from '../shared/create-sink.js';
import { defaultQueueOptions, type QueueOptions } from '../shared/delivery-queue.js';
import type { BatchWriter, Sink, SinkFactory } from '../types.js';
import { encodeExportRequest, exportRequestType } from './export-request.js';
import type { OtelLogRecord } from './otel-types.js';
import { createGrpcTransport, createHttpTransport, parseOtlpEndpoint } from './transport.js';
import type { BackendConfig } from '../../api/shared/model.js';

export { buildExportRequest, encodeExportRequest, exportRequestType, logsServiceProto } from './export-request.js';
export { compileOtelTemplate, type OtelTemplate, type OtelTemplateViolations } from './otel-template.js';
export { builtinResource, entryTimeUnixNano, type AnyValue, type KeyValue, type OtelLogRecord } from './otel-types.js';
export { parseOtlpEndpoint, type OtlpEndpoint, type OtlpTransport } from './transport.js';

export type OtelBackendConfig = Extract<BackendConfig, { readonly type: 'openTelemetry' }>;
export type OtlpSinkOptions = QueueOptions & {
  /** Deadline of one export request. */
  readonly timeoutMs: number;
};
export type OtlpSink = Sink<OtelLogRecord>;

export const otlpSinkFactory: SinkFactory<OtelBackendConfig, OtlpSinkOptions, OtlpSink> = {
  type: 'openTelemetry',
  defaults: {
    ...defaultQueueOptions,
    // Envoy's OpenTelemetry access logger flushes every second.
    flushIntervalMs: 1_000,
    maxBatch: 512,
    retry: { initialMs: 500, maxMs: 10_000, multiplier: 2, jitter: 0.2 },
    timeoutMs: 10_000,
  },
  destination: (config) => config.endpoint,
  validate(config, path) {
    const parsed = parseOtlpEndpoint(config.endpoint);
    const violations: Violation[] = [];
    if (typeof parsed === 'string') violations.push({ field: `${path}.endpoint`, message: parsed });
    return violations;
  },
  create(config, deps = {}, options = {}) {
    const settings: OtlpSinkOptions = { ...otlpSinkFactory.defaults, ...options };
    const endpoint = parseOtlpEndpoint(config.endpoint);
    if (typeof endpoint === 'string') throw new Error(`openTelemetry backend endpoint ${endpoint}; validate() the config first.`);
    exportRequestType();
    const transport = endpoint.protocol === 'grpc' ? createGrpcTransport(endpoint.target, settings.timeoutMs, settings.retry) : createHttpTransport(endpoint.url, settings.timeoutMs);
    const writer: BatchWriter<OtelLogRecord> = {
      write: (batch, signal) => transport.send(encodeExportRequest(batch), signal),
      close: async () => transport.close(),
    };
    return createSink('openTelemetry', config.endpoint, writer, settings, deps);
  },
};
