/**
 * One agent's connection to the server's relay receiver (`receiver.ts`): its hello checked against
 * its certificate, its batches handed to the ingest pool in order as one pool stream, cumulative
 * acks once the pool has settled them, duplicates (at or below the agent's stored mark) only
 * acknowledged, its inventory reported, and when it ends, what it handed over settled before
 * another connection of the same agent may start.
 */
import * as grpc from '@grpc/grpc-js';
import type { Counter } from 'prom-client';
import type { ProxyRegistry, SeenProxy } from '../collector/proxy-registry.js';
import type { LogConsumer } from '../model/als-batch.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import type { Logger } from '../telemetry/logger.js';
import { type AgentAuthorizer, type AgentClusters, describeClusters as describe, mayWrite } from './agent-clusters.js';
import {
  type AgentMessage,
  decodeAgentMessage,
  encodeServerMessage,
  type RelayBatch,
  RelayProtocolError,
  type ServerMessage,
  unpackEntries,
} from './protocol.js';

export type AgentCall = grpc.ServerDuplexStream<Buffer, Uint8Array>;

export interface RelayResources {
  current(): { readonly generation: number; readonly documents: string };
  onChange(listener: () => void): void;
}

export interface AgentConnection {
  readonly call: AgentCall;
  /** Resolves once what the connection handed to the pool is settled, after it ended. */
  readonly drained: Promise<void>;
  end(status: grpc.status, details: string): void;
}

/** The mark under which a relayed batch's sequence is committed with its entries. */
export const markKey = (agentId: string) => `relay:${agentId}`;

/** What a connection needs from the receiver, which holds every connection. */
export interface ConnectionContext {
  readonly consumer: LogConsumer & { settle(stream: number): Promise<void>; streamClosed(stream: number): void };
  readonly authorize: AgentAuthorizer;
  readonly proxies: ProxyRegistry;
  readonly resources: RelayResources;
  readonly logger: Logger;
  readonly counters: {
    readonly stored: Counter.Internal;
    readonly duplicate: Counter.Internal;
    readonly refused: Counter.Internal;
    readonly entries: Counter;
    readonly bytes: Counter;
    readonly refusedAgents: Counter;
  };
  /** A pool stream number no other input uses. */
  nextStream(): number;
  /** The highest sequence of this agent the store has. */
  storedThrough(agentId: string): Promise<number>;
  stored(agentId: string, through: number): void;
  /** A settle failed: what the store has must be read again. */
  marksInDoubt(): void;
  /** The server is stopping: nothing more is waited for. */
  stopping(): boolean;
  /** Makes this the agent's connection; returns the one it replaces. */
  attach(agentId: string, connection: AgentConnection): AgentConnection | undefined;
  /** True when this call was the agent's connection (and is no longer). */
  detach(agentId: string, call: AgentCall): boolean;
  /** The pool is full: this call reads nothing until it drains. */
  paused(call: AgentCall): void;
  resumed(call: AgentCall): void;
}

export const send = (call: AgentCall, message: ServerMessage) => call.write(encodeServerMessage(message));

export function serveAgentConnection(call: AgentCall, ctx: ConnectionContext): void {
  const { consumer, logger } = ctx;
  const stream = ctx.nextStream();
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
    ctx.resumed(call);
    if (status && !call.cancelled) call.emit('error', Object.assign(new Error(status.details), status));
    else if (!call.cancelled) call.end();
    if (consumedAny) {
      // What was taken is stored before another connection of this agent starts. A store that cannot
      // write keeps the entries and retries them itself: had the next connection gone ahead, the
      // agent's copies would be stored besides them once the disk has room again.
      for (let attempt = 0; ; attempt++) {
        try {
          await consumer.settle(stream);
          break;
        } catch {
          ctx.marksInDoubt();
          if (ctx.stopping() || attempt >= 200) break;
          await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
        }
      }
      consumer.streamClosed(stream);
    }
    if (agentId && ctx.detach(agentId, call)) {
      // The agent is gone: its proxies stay listed (last seen tells when), with no stream open.
      ctx.proxies.report(
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
        ctx.stored(agentId!, through);
        if (finished) return;
        acked = through;
        send(call, { ack: { through } });
        settle();
      },
      (err: unknown) => {
        settling = false;
        ctx.marksInDoubt();
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
    ctx.counters.refused.inc();
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
    ctx.counters.bytes.inc(size);
    if (batch.sequence <= Math.max(committed, handled)) {
      ctx.counters.duplicate.inc();
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
    ctx.counters.stored.inc();
    ctx.counters.entries.inc(encoded.length);
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
      ctx.paused(call);
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
    ctx.proxies.report(agentId!, seen);
  };

  const onHello = async (hello: Extract<AgentMessage, { hello: unknown }>['hello']) => {
    clusters = ctx.authorize(call.getAuthContext()?.sslPeerCertificate);
    if (!hello.agentId || !hello.cluster) {
      ctx.counters.refusedAgents.inc();
      return finish({ code: grpc.status.INVALID_ARGUMENT, details: 'the hello must name the agent (agent_id) and its cluster' });
    }
    if (!mayWrite(clusters, hello.cluster)) {
      ctx.counters.refusedAgents.inc();
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
    const previous = ctx.attach(agentId, { call, drained, end: (code, details) => void finish({ code, details }) });
    if (previous) {
      previous.end(grpc.status.ABORTED, 'a newer connection of this agent replaced this one');
      await previous.drained;
    }
    committed = await ctx.storedThrough(agentId);
    handled = acked = committed;
    logger.info({ agent: agentId, cluster, storedThrough: committed }, 'An agent connected.');
    send(call, { welcome: { clusters: clusters === 'any' ? [] : clusters, storedThrough: committed } });
    send(call, { resources: ctx.resources.current() });
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
