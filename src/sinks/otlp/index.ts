/**
 * The `openTelemetry` sink: access-log records exported to an OTLP logs receiver, over gRPC to a
 * `host:port` endpoint or OTLP/HTTP protobuf to an `http(s)://` URL, one `ExportLogsServiceRequest`
 * per batch with records grouped by resource. The factory's config is in `config.ts`; its record
 * compiler, which turns an entry into an `OtelLogRecord` as Envoy's OpenTelemetry access logger
 * would, in `compile-log-record.ts` (with the `body` and `attributes` template in `otel-template.ts`).
 */
import { createSink } from '../shared/create-sink.js';
import { defaultQueueOptions, type QueueOptions } from '../shared/delivery-queue.js';
import type { BatchWriter, Sink, SinkFactory } from '../types.js';
import { compileLogRecord } from './compile-log-record.js';
import { normalizeOtlpConfig, type OtelBackendConfig, OtlpConfigSchema, validateOtlpConfig } from './config.js';
import { encodeExportRequest, exportRequestType } from './export-request.js';
import type { OtelLogRecord } from './otel-types.js';
import { describeTls } from './tls.js';
import { createGrpcTransport, createHttpTransport, parseOtlpEndpoint } from './transport.js';

export { compileLogRecord } from './compile-log-record.js';
export {
  normalizeOtlpConfig,
  type OtelAttribute,
  type OtelBackendConfig,
  OtelBackendRefSchema,
  OtlpConfigSchema,
  type OtlpConfigSpec,
  otelBackendKind,
  otelKeyProblem,
  validateOtlpConfig,
} from './config.js';
export {
  OtlpDestinationSchema,
  type OtlpDestinationSpec,
  type OtlpTls,
  OtlpTlsSchema,
  otlpProtocols,
  type ResolvedOtlpDestination,
  resolveOtlpDestination,
  validateOtlpDestination,
} from './destination.js';
export { buildExportRequest, encodeExportRequest, exportRequestType, logsServiceProto } from './export-request.js';
export { compileOtelTemplate, type OtelTemplate, type OtelTemplateViolations } from './otel-template.js';
export { type AnyValue, builtinResource, entryTimeUnixNano, type KeyValue, type OtelLogRecord } from './otel-types.js';
export { type OtlpEndpoint, type OtlpTransport, parseOtlpEndpoint } from './transport.js';

export type OtlpSinkOptions = QueueOptions & {
  /** Deadline of one export request. */
  readonly timeoutMs: number;
};
export type OtlpSink = Sink<OtelLogRecord>;

export const otlpSinkFactory: SinkFactory<typeof OtlpConfigSchema, OtelBackendConfig, OtelLogRecord, OtlpSinkOptions, OtlpSink> = {
  type: 'openTelemetry',
  kumaType: 'OpenTelemetry',
  schema: OtlpConfigSchema,
  defaults: {
    ...defaultQueueOptions,
    // Envoy's OpenTelemetry access logger flushes every second.
    flushIntervalMs: 1_000,
    maxBatch: 512,
    retry: { initialMs: 500, maxMs: 10_000, multiplier: 2, jitter: 0.2 },
    timeoutMs: 10_000,
  },
  // Two backends with one endpoint but different TLS settings are two sinks.
  destination: (config) => (config.tls ? `${config.endpoint} (${describeTls(config.tls)})` : config.endpoint),
  validate: validateOtlpConfig,
  normalize: normalizeOtlpConfig,
  compile: compileLogRecord,
  create(config, deps = {}, options = {}) {
    const settings: OtlpSinkOptions = { ...otlpSinkFactory.defaults, ...options };
    const endpoint = parseOtlpEndpoint(config.endpoint);
    if (endpoint === undefined) {
      throw new Error(
        `openTelemetry backend endpoint ${JSON.stringify(config.endpoint)} is neither host:port nor an http(s) URL; validate() the config first.`,
      );
    }
    exportRequestType();
    const transport =
      endpoint.protocol === 'grpc'
        ? createGrpcTransport(endpoint.target, settings.timeoutMs, settings.retry, { tls: config.tls, policy: deps.policy })
        : createHttpTransport(endpoint.url, settings.timeoutMs, { tls: config.tls, policy: deps.policy });
    const writer: BatchWriter<OtelLogRecord> = {
      write: (batch, signal) => transport.send(encodeExportRequest(batch), signal),
      close: async () => transport.close(),
    };
    return createSink('openTelemetry', otlpSinkFactory.destination(config), writer, settings, deps);
  },
};
