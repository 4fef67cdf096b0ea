/**
 * The server's side of the relay: the `meshlog.relay.v1.Relay` gRPC service on `--relay-port`.
 *
 * An agent's connection becomes one stream of the ingest pool; its batches enter as `AlsBatch`es
 * marked `selected` (the agent filtered, redacted and delivered them) with the mark
 * `relay:<agent id>` = the batch's sequence, committed in the store's transaction with the entries.
 * Batches are acknowledged cumulatively once the pool settles the stream (the entries are stored);
 * a sequence at or below the agent's mark is a duplicate and is only acknowledged. The marks are
 * read from the store when the server starts, so this holds across server restarts; a second
 * connection of the same agent waits until the first one's batches are settled.
 *
 * The agent's certificate says which clusters it may speak for (`agent-clusters.ts`): a hello for
 * another cluster is refused with PERMISSION_DENIED, a batch or inventory entry of a proxy in
 * another cluster is refused and counted. Each connection is served by `agent-connection.ts`;
 * this file holds what they share: the port, the marks read from the store, the counters.
 */
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge } from 'prom-client';
import type { ProxyRegistry } from '../collector/proxy-registry.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { AgentAuthorizer } from './agent-clusters.js';
import { type AgentCall, type AgentConnection, type ConnectionContext, markKey, type RelayResources, send, serveAgentConnection } from './agent-connection.js';
import { relayServicePath } from './protocol.js';

export type { RelayResources } from './agent-connection.js';

export interface RelayReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly credentials: grpc.ServerCredentials;
  readonly authorize: AgentAuthorizer;
  readonly consumer: ConnectionContext['consumer'];
  /** Every mark the store has committed (`LogReader.marks`). */
  readonly marks: () => Promise<ReadonlyMap<string, number>>;
  readonly proxies: ProxyRegistry;
  readonly resources: RelayResources;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

export interface RelayReceiver {
  readonly port: number;
  start(): Promise<void>;
  agents(): number;
  /** Stops taking batches, waits for the ones taken to settle (until the deadline), stops. */
  shutdown(deadlineMs?: number): Promise<void>;
}

export function createRelayReceiver(options: RelayReceiverOptions): RelayReceiver {
  const { consumer, logger } = options;
  const registers = [options.metrics.registry];
  const batchesIn = new Counter({
    name: 'meshlog_relay_batches_received_total',
    help: 'Relay batches received from agents, by outcome: stored, duplicate, refused.',
    labelNames: ['outcome'],
    registers,
  });
  const outcome = { stored: batchesIn.labels('stored'), duplicate: batchesIn.labels('duplicate'), refused: batchesIn.labels('refused') };
  const entriesIn = new Counter({
    name: 'meshlog_relay_entries_received_total',
    help: 'Entries in relay batches taken for the store (duplicates not counted).',
    registers,
  });
  const bytesIn = new Counter({
    name: 'meshlog_relay_bytes_received_total',
    help: 'Bytes of relay batches received (compressed entries and framing).',
    registers,
  });
  const refusedAgents = new Counter({
    name: 'meshlog_relay_agents_refused_total',
    help: 'Agent connections refused (certificate not allowed for the cluster, or a bad hello).',
    registers,
  });
  const connections = new Map<string, AgentConnection>();
  new Gauge({
    name: 'meshlog_relay_agents_connected',
    help: 'Agents connected now.',
    registers,
    collect() {
      this.set(connections.size);
    },
  });
  let marks: Map<string, number> | undefined;
  let nextStream = -1;
  let boundPort = 0;
  let stopping = false;
  const paused = new Set<AgentCall>();
  consumer.onDrain(() => {
    for (const call of paused) call.resume();
    paused.clear();
  });
  options.resources.onChange(() => {
    const current = options.resources.current();
    for (const c of connections.values()) send(c.call, { resources: current });
  });

  const context: ConnectionContext = {
    consumer,
    authorize: options.authorize,
    proxies: options.proxies,
    resources: options.resources,
    logger,
    counters: { ...outcome, entries: entriesIn, bytes: bytesIn, refusedAgents },
    nextStream: () => nextStream--,
    async storedThrough(agentId) {
      marks ??= new Map(await options.marks());
      return marks.get(markKey(agentId)) ?? 0;
    },
    stored(agentId, through) {
      marks?.set(markKey(agentId), Math.max(marks.get(markKey(agentId)) ?? 0, through));
    },
    marksInDoubt() {
      marks = undefined;
    },
    stopping: () => stopping,
    attach(agentId, connection) {
      const previous = connections.get(agentId);
      connections.set(agentId, connection);
      return previous;
    },
    detach(agentId, call) {
      if (connections.get(agentId)?.call !== call) return false;
      connections.delete(agentId);
      return true;
    },
    paused: (call) => paused.add(call),
    resumed: (call) => paused.delete(call),
  };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.keepalive_permit_without_calls': 1 });
  server.addService(
    {
      Connect: {
        path: relayServicePath,
        requestStream: true,
        responseStream: true,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        responseDeserialize: (b: Buffer) => b,
      },
    },
    {
      Connect: (call: AgentCall) => {
        if (stopping) {
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the server is stopping' });
          return;
        }
        serveAgentConnection(call, context);
      },
    },
  );

  return {
    get port() {
      return boundPort;
    },
    start() {
      return new Promise((resolve, reject) => {
        const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
        server.bindAsync(`${host}:${options.port}`, options.credentials, (err, port) => {
          if (err) return reject(new Error(`Cannot listen for agents on ${options.host}:${options.port}: ${err.message}`));
          boundPort = port;
          resolve();
        });
      });
    },
    agents: () => connections.size,
    async shutdown(deadlineMs = 5_000) {
      stopping = true;
      const all = [...connections.values()];
      for (const c of all) c.end(grpc.status.UNAVAILABLE, 'the server is stopping');
      await Promise.race([Promise.all(all.map((c) => c.drained)), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
      server.forceShutdown();
    },
  };
}
