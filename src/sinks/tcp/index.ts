/**
 * The `tcp` sink: formatted records streamed to a `host:port` peer (Logstash, Vector, Fluent Bit
 * tcp inputs), one per line as Kuma's streamer writes them. Unlike Kuma, which drops every record
 * while the peer is away, records wait in the bounded queue and go out after a reconnect; only
 * what does not fit is dropped and counted. This is the factory; the socket is in `tcp-writer.ts`.
 */
import type { Violation } from '../../model/violations.js';
import { createSink } from '../shared/create-sink.js';
import { defaultQueueOptions, type QueueOptions } from '../shared/delivery-queue.js';
import { parseHostPort } from '../shared/host-port.js';
import type { LineRecord } from '../shared/line-record.js';
import type { Sink, SinkFactory } from '../types.js';
import { createTcpWriter, type TcpWriterOptions } from './tcp-writer.js';
import type { BackendConfig } from '../../api/shared/model.js';

export { createTcpWriter, type TcpWriterOptions } from './tcp-writer.js';

export type TcpBackendConfig = Extract<BackendConfig, { readonly type: 'tcp' }>;
export type TcpSinkOptions = QueueOptions & TcpWriterOptions;
export type TcpSink = Sink<LineRecord>;

export const tcpSinkFactory: SinkFactory<TcpBackendConfig, TcpSinkOptions, TcpSink> = {
  type: 'tcp',
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
  validate(config, path) {
    const parsed = parseHostPort(config.address);
    const violations: Violation[] = [];
    if (typeof parsed === 'string') violations.push({ field: `${path}.address`, message: parsed });
    return violations;
  },
  create(config, deps = {}, options = {}) {
    const settings: TcpSinkOptions = { ...tcpSinkFactory.defaults, ...options };
    const address = parseHostPort(config.address);
    if (typeof address === 'string') throw new Error(`tcp backend address ${address}; validate() the config first.`);
    return createSink('tcp', config.address, createTcpWriter(address, settings), settings, deps);
  },
};
