/**
 * The `tcp` sink: formatted records streamed to a `host:port` peer (Logstash, Vector, Fluent Bit
 * tcp inputs), one per line as Kuma's streamer writes them. Unlike Kuma, which drops every record
 * while the peer is away, records wait in the bounded queue and go out after a reconnect; only
 * what does not fit is dropped and counted. This is the factory (its config is in `config.ts`);
 * the socket is in `tcp-writer.ts`.
 */
import { parseHostPort } from '../shared/addresses.js';
import { createSink } from '../shared/create-sink.js';
import { defaultQueueOptions, type QueueOptions } from '../shared/delivery-queue.js';
import { compileLineRecord, type LineRecord } from '../shared/line-record.js';
import type { Sink, SinkFactory } from '../types.js';
import { normalizeTcpConfig, type TcpBackendConfig, TcpConfigSchema, validateTcpConfig } from './config.js';
import { createTcpWriter, type TcpWriterOptions } from './tcp-writer.js';

export { normalizeTcpConfig, type TcpBackendConfig, TcpConfigSchema, type TcpConfigSpec, validateTcpConfig } from './config.js';
export { createTcpWriter, type TcpWriterOptions } from './tcp-writer.js';

export type TcpSinkOptions = QueueOptions & TcpWriterOptions;
export type TcpSink = Sink<LineRecord>;

export const tcpSinkFactory: SinkFactory<typeof TcpConfigSchema, TcpBackendConfig, LineRecord, TcpSinkOptions, TcpSink> = {
  type: 'tcp',
  kumaType: 'Tcp',
  schema: TcpConfigSchema,
  defaults: {
    ...defaultQueueOptions,
    flushIntervalMs: 100,
    // Reconnect quickly after a blip, and at most every few seconds while the peer is down.
    retry: { initialMs: 100, maxMs: 3_000, multiplier: 2, jitter: 0.2 },
    // kuma-dp's dial timeout.
    connectTimeoutMs: 5_000,
    writeTimeoutMs: 10_000,
  },
  destination: (config) => config.address,
  validate: validateTcpConfig,
  normalize: normalizeTcpConfig,
  compile: (config, kind) => compileLineRecord('tcp', config.format, kind),
  create(config, deps = {}, options = {}) {
    const settings: TcpSinkOptions = { ...tcpSinkFactory.defaults, ...options };
    const address = parseHostPort(config.address);
    if (address === undefined) throw new Error(`tcp backend address ${JSON.stringify(config.address)} is not host:port; validate() the config first.`);
    return createSink('tcp', config.address, createTcpWriter(address, { ...settings, policy: deps.policy }), settings, deps);
  },
};
