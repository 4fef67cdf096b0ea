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
 * another cluster is refused and counted.
 */
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge } from 'prom-client';
import type { SeenProxy, ProxyRegistry } from '../collector/proxy-registry.js';
import type { LogConsumer } from '../model/als-batch.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type AgentAuthorizer, type AgentClusters, mayWrite } from './agent-clusters.js';
import {
  type AgentMessage,
  type RelayBatch,
  RelayProtocolError,
  type ServerMessage,
  decodeAgentMessage,
  encodeServerMessage,
  relayServicePath,
  unpackEntries,
} from './protocol.js';

export interface RelayResources {
  current(): { readonly generation: number; readonly documents: string };
  onChange(listener: () => void): void;
}

export interface RelayReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly credentials: grpc.ServerCredentials;
  readonly authorize: AgentAuthorizer;
  readonly consumer: LogConsumer & { settle(stream: number): Promise<void>; streamClosed(stream: number): void };
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

type Call = grpc.ServerDuplexStream<Buffer, Uint8Array>;

export const markKey = (agentId: string) => `relay:${agentId}`;

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
  const connections = new Map<string, Connection>();
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
  const paused = new Set<Call>();
  consumer.onDrain(() => {
    for (const call of paused) call.resume();
    paused.clear();
  });

  const committedThrough = async (agentId: string): Promise<number> => {
    marks ??= new Map(await options.marks());
    return marks.get(markKey(agentId)) ?? 0;
  };

  interface Connection {
    readonly call: Call;
    readonly drained: Promise<void>;
    end(status: grpc.status, details: string): void;
  }

  const send = (call: Call, message: ServerMessage) => call.write(encodeServerMessage(message));

  options.resources.onChange(() => {
    const current = options.resources.current();
    for (const c of connections.values()) send(c.call, { resources: current });
  });

  function handle(call: Call): void {
    const stream = nextStream--;
    let agentId: string | undefined;
    let cluster = '';
    let clusters: AgentClusters = [];
    let committed = 0;
    /** Highest sequence taken (consumed, duplicate or refused), and acknowledged. */
    let handled = 0;
    let acked = 0;
    let consumedSinceSettle = false;
    let settling = false;
    let finished = false;
    let ready: Promise<void> = Promise.resolve();
    const identities = new Map<string, ProxyIdentity>();
    let resolveDrained: () => void = () => {};
    const drained = new Promise<void>((resolve) => (resolveDrained = resolve));
    let consumedAny = false;
    let inventory: SeenProxy[] = [];

    const finish = async (status?: { code: grpc.status; details: string }) => {
      if (finished) return;
      finished = true;
      paused.delete(call);
      if (status && !call.cancelled) call.emit('error', Object.assign(new Error(status.details), status));
      else if (!call.cancelled) call.end();
      if (consumedAny) {
        // What was taken is stored (or known not to be) before another connection of this agent starts.
        await consumer.settle(stream).catch(() => {
          marks = undefined;
        });
        consumer.streamClosed(stream);
      }
      if (agentId && connections.get(agentId)?.call === call) {
        connections.delete(agentId);
        // The agent is gone: its proxies stay listed (last seen tells when), with no stream open.
        options.proxies.report(
          agentId,
          inventory.map((p) => ({ ...p, activeStreams: 0 })),
        );
      }
      resolveDrained();
    };

    const settle = () => {
      if (settling || finished || handled <= acked) return;
      const through = handled;
      if (!consumedSinceSettle) {
        acked = through;
        send(call, { ack: { through } });
        return;
      }
      consumedSinceSettle = false;
      settling = true;
      consumer.settle(stream).then(
        () => {
          settling = false;
          committed = Math.max(committed, through);
          marks?.set(markKey(agentId!), Math.max(marks.get(markKey(agentId!)) ?? 0, through));
          if (finished) return;
          acked = through;
          send(call, { ack: { through } });
          settle();
        },
        (err: unknown) => {
          settling = false;
          marks = undefined;
          logger.warn({ agent: agentId, error: String(err) }, 'Relayed entries could not be stored; the agent will send them again.');
          void finish({
            code: grpc.status.UNAVAILABLE,
            details: `the server could not store the entries (${err instanceof Error ? err.message : String(err)}); send them again`,
          });
        },
      );
    };

    const refusedProxies = new Set<string>();
    const refuse = (batch: RelayBatch, reason: string) => {
      outcome.refused.inc();
      // Once per proxy and connection: a misconfigured proxy sends many batches.
      if (!refusedProxies.has(batch.proxy.nodeId) && refusedProxies.size < 1000) {
        refusedProxies.add(batch.proxy.nodeId);
        logger.warn(
          { agent: agentId, sequence: batch.sequence, reason },
          'Refused a relayed batch; more from this proxy are refused without a log line (meshlog_relay_batches_received_total{outcome="refused"}).',
        );
      }
      send(call, { refused: { sequence: batch.sequence, reason } });
    };

    const onBatch = (batch: RelayBatch, size: number) => {
      bytesIn.inc(size);
      if (batch.sequence <= Math.max(committed, handled)) {
        outcome.duplicate.inc();
        handled = Math.max(handled, batch.sequence);
        return;
      }
      handled = batch.sequence;
      const proxy = batch.proxy.workload.clusterName ? batch.proxy : { ...batch.proxy, workload: { ...batch.proxy.workload, clusterName: cluster } };
      if (!mayWrite(clusters, proxy.workload.clusterName)) {
        refuse(
          batch,
          `proxy ${proxy.nodeId} is in cluster "${proxy.workload.clusterName}", which this agent's certificate does not cover (${describe(clusters)})`,
        );
        return;
      }
      let encoded: Uint8Array[];
      try {
        encoded = unpackEntries(batch);
      } catch (err) {
        refuse(batch, err instanceof RelayProtocolError ? err.message : String(err));
        return;
      }
      const key = `${proxy.workload.clusterName}\n${proxy.nodeId}\n${proxy.logName}\n${JSON.stringify(proxy)}`;
      let identity = identities.get(key);
      if (!identity) identities.set(key, (identity = proxy));
      outcome.stored.inc();
      entriesIn.inc(encoded.length);
      consumedAny = true;
      consumedSinceSettle = true;
      const more = consumer.consume({
        stream,
        proxy: identity,
        kind: batch.kind,
        encoded,
        receivedAt: batch.receivedAtMs,
        selected: true,
        mark: { key: markKey(agentId!), value: batch.sequence },
      });
      if (!more) {
        call.pause();
        paused.add(call);
      }
    };

    const onInventory = (proxies: Extract<AgentMessage, { inventory: unknown }>['inventory']['proxies']) => {
      const seen: SeenProxy[] = [];
      for (const p of proxies) {
        const identity = p.proxy.workload.clusterName ? p.proxy : { ...p.proxy, workload: { ...p.proxy.workload, clusterName: cluster } };
        if (!mayWrite(clusters, identity.workload.clusterName)) continue;
        seen.push({ identity, firstSeen: p.firstSeenMs, lastSeen: p.lastSeenMs, activeStreams: p.activeStreams, entries: p.entries });
      }
      inventory = seen;
      options.proxies.report(agentId!, seen);
    };

    const onHello = async (hello: Extract<AgentMessage, { hello: unknown }>['hello']) => {
      clusters = options.authorize(call.getAuthContext()?.sslPeerCertificate);
      if (!hello.agentId || !hello.cluster) {
        refusedAgents.inc();
        return finish({ code: grpc.status.INVALID_ARGUMENT, details: 'the hello must name the agent (agent_id) and its cluster' });
      }
      if (!mayWrite(clusters, hello.cluster)) {
        refusedAgents.inc();
        logger.warn(
          { agent: hello.agentId, cluster: hello.cluster, allowed: describe(clusters), peer: call.getPeer() },
          'Refused an agent whose certificate does not cover its cluster.',
        );
        return finish({
          code: grpc.status.PERMISSION_DENIED,
          details: `this agent's certificate may speak for ${describe(clusters)}, not for cluster "${hello.cluster}"`,
        });
      }
      agentId = hello.agentId;
      cluster = hello.cluster;
      const previous = connections.get(agentId);
      connections.set(agentId, { call, drained, end: (code, details) => void finish({ code, details }) });
      if (previous) {
        previous.end(grpc.status.ABORTED, 'a newer connection of this agent replaced this one');
        await previous.drained;
      }
      committed = await committedThrough(agentId);
      handled = acked = committed;
      logger.info({ agent: agentId, cluster, storedThrough: committed }, 'An agent connected.');
      send(call, { welcome: { clusters: clusters === 'any' ? [] : clusters, storedThrough: committed } });
      send(call, { resources: options.resources.current() });
    };

    call.on('data', (bytes: Buffer) => {
      if (finished) return;
      let message: AgentMessage;
      try {
        message = decodeAgentMessage(bytes);
      } catch (err) {
        void finish({ code: grpc.status.INVALID_ARGUMENT, details: err instanceof Error ? err.message : String(err) });
        return;
      }
      // Messages are handled in order, each after the hello's work (waiting for an older connection) is done.
      ready = ready.then(async () => {
        if (finished) return;
        if ('hello' in message) {
          if (agentId !== undefined) return finish({ code: grpc.status.INVALID_ARGUMENT, details: 'hello is sent once, first' });
          return onHello(message.hello);
        }
        if (agentId === undefined) return finish({ code: grpc.status.INVALID_ARGUMENT, details: 'the first message must be a hello' });
        if ('batch' in message) {
          onBatch(message.batch, bytes.byteLength);
          settle();
        } else onInventory(message.inventory.proxies);
      });
    });
    call.on('end', () => void ready.then(() => finish()));
    call.on('error', () => void finish());
    call.on('cancelled', () => void finish());
  }

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
      Connect: (call: Call) => {
        if (stopping) {
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the server is stopping' });
          return;
        }
        handle(call);
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

function describe(clusters: AgentClusters): string {
  if (clusters === 'any') return 'any cluster';
  return clusters.length === 0 ? 'no cluster' : clusters.map((c) => `"${c}"`).join(', ');
}
