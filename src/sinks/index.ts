/**
 * The log plane's outputs: where formatted access-log entries go for `MeshAccessLog` backends.
 * Each sink is a folder of the same shape (`file/`, `tcp/`, `otlp/`: a factory in `index.ts`, the
 * one batch-writing method beside it); `shared/` holds the delivery queue they all sit behind
 * (bounds, batching, retries, drop counts, shutdown); `registry.ts` lists the factories. A sink
 * never throws into the pipeline: what it cannot deliver it counts.
 */
export { fileSinkFactory, type FileBackendConfig, type FileSink, type FileSinkOptions } from './file/index.js';
export {
  builtinResource,
  compileOtelTemplate,
  entryTimeUnixNano,
  otlpSinkFactory,
  type AnyValue,
  type KeyValue,
  type OtelBackendConfig,
  type OtelLogRecord,
  type OtelTemplate,
  type OtlpSink,
  type OtlpSinkOptions,
} from './otlp/index.js';
export { openSink, sinkFactories, sinkKey, validateSinkConfig, type AnySink, type SinkOptionOverrides } from './registry.js';
export { PermanentDeliveryError, type DeliveryStats, type LineRecord, type QueueOptions, type RetryPolicy } from './shared/index.js';
export { tcpSinkFactory, type TcpBackendConfig, type TcpSink, type TcpSinkOptions } from './tcp/index.js';
export type { BatchWriter, Sink, SinkBackendConfig, SinkDeps, SinkFactory, SinkType } from './types.js';
