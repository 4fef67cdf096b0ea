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
export { type FileBackendConfig, type FileSink, type FileSinkOptions, fileSinkFactory } from './file/index.js';
export {
  type OtelAttribute,
  type OtelBackendConfig,
  type OtelLogRecord,
  type OtlpConfigSpec,
  OtlpDestinationSchema,
  type OtlpDestinationSpec,
  type OtlpSink,
  type OtlpSinkOptions,
  type OtlpTls,
  otelBackendKind,
  otlpSinkFactory,
  parseOtlpEndpoint,
  type ResolvedOtlpDestination,
  resolveOtlpDestination,
  validateOtlpDestination,
} from './otlp/index.js';
export {
  type AnySink,
  type AnySinkFactory,
  canonicalSinkType,
  compileRecord,
  normalizeSinkConfig,
  openSink,
  type SinkBackendConfig,
  type SinkOptionOverrides,
  type SinkType,
  sinkDestination,
  sinkFactories,
  sinkFactory,
  sinkFactoryList,
  sinkKey,
  sinkTypes,
  validateSinkConfig,
} from './registry.js';
export {
  createSinkPolicy,
  type DeliveryStats,
  type LineRecord,
  PermanentDeliveryError,
  type QueueOptions,
  type RetryPolicy,
  type SinkPolicy,
} from './shared/index.js';
export { type TcpBackendConfig, type TcpSink, type TcpSinkOptions, tcpSinkFactory } from './tcp/index.js';
export type { BatchWriter, RecordCompiler, Sink, SinkConfig, SinkDeps, SinkFactory } from './types.js';
