/**
 * Every sink factory, listed by hand: nothing registers itself on import, so what a build can
 * write to is read here. The pipeline opens one sink per `sinkKey` and shares it across policies.
 */
import type { Violation } from '../model/violations.js';
import { fileSinkFactory, type FileSink, type FileSinkOptions } from './file/index.js';
import { otlpSinkFactory, type OtlpSink, type OtlpSinkOptions } from './otlp/index.js';
import { tcpSinkFactory, type TcpSink, type TcpSinkOptions } from './tcp/index.js';
import type { SinkBackendConfig, SinkDeps, SinkType } from './types.js';

export const sinkFactories = {
  file: fileSinkFactory,
  tcp: tcpSinkFactory,
  openTelemetry: otlpSinkFactory,
} as const satisfies Record<SinkType, unknown>;

export type AnySink = FileSink | TcpSink | OtlpSink;

/** Per-type option overrides (from the server's configuration), applied to every sink of that type. */
export interface SinkOptionOverrides {
  readonly file?: Partial<FileSinkOptions>;
  readonly tcp?: Partial<TcpSinkOptions>;
  readonly openTelemetry?: Partial<OtlpSinkOptions>;
}

/** `type:destination`: backends with equal keys share one sink (and it is the metrics' `sink` label). */
export function sinkKey(config: SinkBackendConfig): string {
  switch (config.type) {
    case 'file':
      return `file:${fileSinkFactory.destination(config)}`;
    case 'tcp':
      return `tcp:${tcpSinkFactory.destination(config)}`;
    case 'openTelemetry':
      return `openTelemetry:${otlpSinkFactory.destination(config)}`;
  }
}

export function validateSinkConfig(config: SinkBackendConfig, path: string): Violation[] {
  switch (config.type) {
    case 'file':
      return fileSinkFactory.validate(config, path);
    case 'tcp':
      return tcpSinkFactory.validate(config, path);
    case 'openTelemetry':
      return otlpSinkFactory.validate(config, path);
  }
}

/** Creates the sink for a backend; nothing is opened or dialled until its first batch. */
export function openSink(config: SinkBackendConfig, deps: SinkDeps = {}, overrides: SinkOptionOverrides = {}): AnySink {
  switch (config.type) {
    case 'file':
      return fileSinkFactory.create(config, deps, overrides.file);
    case 'tcp':
      return tcpSinkFactory.create(config, deps, overrides.tcp);
    case 'openTelemetry':
      return otlpSinkFactory.create(config, deps, overrides.openTelemetry);
  }
}
