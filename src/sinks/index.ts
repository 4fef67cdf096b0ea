/**
 * The log plane's outputs: where formatted access-log entries go for `MeshAccessLog` backends.
 * Each sink is a folder of the same shape (`file/`, `tcp/`, `otlp/`): a factory in `index.ts`,
 * its config as a resource writes it in `config.ts` (schema, the one validator, normaliser), the
 * one batch-writing method beside it. `shared/` holds the delivery queue they all sit behind
 * (bounds, batching, retries, drop counts, shutdown) and what several sinks read (addresses, line
 * records); `registry.ts` lists the factories, and is how the resource API, the policy engine
 * and the pipeline reach them. A sink never throws into the pipeline: what it cannot deliver it
 * counts.
 */
export { fileSinkFactory, type FileBackendConfig, type FileSink, type FileSinkOptions } from './file/index.js';
export {
  otelBackendKind,
  OtlpDestinationSchema,
  otlpSinkFactory,
  parseOtlpEndpoint,
  resolveOtlpDestination,
  validateOtlpDestination,
  type OtelAttribute,
  type OtelBackendConfig,
  type OtelLogRecord,
  type OtlpConfigSpec,
  type OtlpDestinationSpec,
  type OtlpSink,
  type OtlpSinkOptions,
  type OtlpTls,
  type ResolvedOtlpDestination,
} from './otlp/index.js';
export {
  canonicalSinkType,
  compileRecord,
  normalizeSinkConfig,
  openSink,
  sinkDestination,
  sinkFactories,
  sinkFactory,
  sinkFactoryList,
  sinkKey,
  sinkTypes,
  validateSinkConfig,
  type AnySink,
  type AnySinkFactory,
  type SinkBackendConfig,
  type SinkOptionOverrides,
  type SinkType,
} from './registry.js';
export { createSinkPolicy, PermanentDeliveryError, type SinkPolicy, type DeliveryStats, type LineRecord, type QueueOptions, type RetryPolicy } from './shared/index.js';
export { tcpSinkFactory, type TcpBackendConfig, type TcpSink, type TcpSinkOptions } from './tcp/index.js';
export type { BatchWriter, RecordCompiler, Sink, SinkConfig, SinkDeps, SinkFactory } from './types.js';
