/**
 * The sinks of a process, one per destination (`sinkKey`: file path, tcp address, OTel endpoint),
 * opened on first use and shared by every policy and every ingest worker. Formatted records reach
 * them from the policy delivery, in this thread or bridged from the workers.
 */

import type { SinkPolicy } from '../sinks/index.js';
import { type AnySink, openSink, type SinkBackendConfig, sinkKey } from '../sinks/registry.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { SinkOutput } from './policy-delivery.js';

export interface SinkSet extends SinkOutput {
  /** Pushes a batch to the sink of `key` (records bridged from a worker carry their key). */
  pushKeyed(key: string, config: SinkBackendConfig, records: unknown[]): void;
  /** Reopens every file sink (external rotation: the server calls this on SIGHUP). */
  reopenFiles(): Promise<void>;
  /** Flushes and closes every sink within the deadline. */
  shutdown(deadlineMs?: number): Promise<void>;
}

/** `policy`: the operator's bounds on where sinks write and connect, checked again when they open. */
export function createSinkSet(deps: { readonly metrics: Metrics; readonly logger: Logger; readonly policy?: SinkPolicy }): SinkSet {
  const sinks = new Map<string, AnySink>();
  const sinkFor = (key: string, config: SinkBackendConfig): AnySink => {
    let sink = sinks.get(key);
    if (!sink) {
      sink = openSink(config, deps);
      sinks.set(key, sink);
    }
    return sink;
  };
  return {
    push(config, records) {
      sinkFor(sinkKey(config), config).push(records as never[]);
    },
    pushKeyed(key, config, records) {
      sinkFor(key, config).push(records as never[]);
    },
    async reopenFiles() {
      await Promise.all([...sinks.values()].map((s) => ('reopen' in s && typeof s.reopen === 'function' ? (s.reopen as () => Promise<void>)() : undefined)));
    },
    async shutdown(deadlineMs = 5_000) {
      await Promise.all([...sinks.values()].map((s) => s.shutdown(deadlineMs)));
    },
  };
}

/** A `SinkOutput` that gathers a batch's records per destination, for another thread to deliver. */
export function createSinkBridge(): SinkOutput & { take(): Array<{ key: string; config: SinkBackendConfig; records: unknown[] }> } {
  let pending = new Map<string, { key: string; config: SinkBackendConfig; records: unknown[] }>();
  return {
    push(config, records) {
      const key = sinkKey(config);
      const at = pending.get(key);
      if (at) at.records.push(...records);
      else pending.set(key, { key, config, records });
    },
    take() {
      const out = [...pending.values()];
      pending = new Map();
      return out;
    },
  };
}
