/**
 * The agent's side of the relay: batches go into the on-disk buffer first (`segment-log.ts`), then
 * to the server in sequence order over one gRPC stream, as many at once as the window allows. The
 * server acknowledges cumulatively once it has stored them; acknowledged segments are deleted. When
 * the server is away the buffer fills and the sender retries with backoff; on reconnect it sends
 * from the first batch not acknowledged, so the buffer replays in order.
 *
 * From the server, the agent takes the resources in force (handed to `onResources`) and answers
 * with its proxies (`inventory`), on connect, when a new proxy appears and every few seconds.
 */
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { ForwardedBatch } from './batch-writer.js';
import { decodeServerMessage, encodeAgentMessage, encodeBatchMessage, type ProxyStatus, relayServicePath, type ServerMessage } from './protocol.js';
import { openSegmentLog, type SegmentLog } from './segment-log.js';

export interface RelayExporterOptions {
  /** `--server`: HOST:PORT of the server's relay port. */
  readonly server: string;
  readonly credentials: grpc.ChannelCredentials;
  readonly bufferDir: string;
  readonly bufferBytes: number;
  readonly cluster: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The server's resources (a YAML stream), on connect and on every change. */
  readonly onResources: (documents: string, generation: number) => void;
  readonly inventory: () => ProxyStatus[];
  /** Bytes sent and not yet acknowledged, at most (default 16 MiB). */
  readonly windowBytes?: number;
  /** How often the buffer is fdatasync'ed when nothing asks sooner (default 1 s). */
  readonly syncIntervalMs?: number;
  readonly inventoryIntervalMs?: number;
}

export interface RelayExporter {
  readonly agentId: string;
  /** Appends to the buffer (sequence numbers are given here) and sends when connected. */
  append(batches: readonly ForwardedBatch[]): void;
  /** Resolves once everything appended so far is on disk. */
  sync(): Promise<void>;
  /** A new proxy: report the inventory soon. */
  inventoryChanged(): void;
  connected(): boolean;
  /** Waits up to the deadline for the server to acknowledge everything, then stops; the buffer keeps the rest. */
  close(deadlineMs?: number): Promise<void>;
}

const version = '0.1.0';

export function startRelayExporter(options: RelayExporterOptions): RelayExporter {
  const { logger } = options;
  const registers = [options.metrics.registry];
  const dropped = new Counter({
    name: 'meshlog_relay_dropped_total',
    help: 'Entries dropped before the server had them: the buffer was full (its oldest), or its disk refused them.',
    registers,
  });
  const sentBatches = new Counter({ name: 'meshlog_relay_batches_sent_total', help: 'Relay batches sent to the server (again after a reconnect).', registers });
  const sentBytes = new Counter({ name: 'meshlog_relay_bytes_sent_total', help: 'Bytes of relay batches sent (compressed entries and framing).', registers });
  const ackedEntries = new Counter({ name: 'meshlog_relay_entries_acked_total', help: 'Entries the server acknowledged as stored.', registers });
  const refused = new Counter({
    name: 'meshlog_relay_refused_total',
    help: 'Batches the server refused (their proxy names a cluster this agent may not speak for).',
    registers,
  });
  const log: SegmentLog = openSegmentLog({
    dir: options.bufferDir,
    maxBytes: options.bufferBytes,
    onDropped(entries, batches, reason) {
      dropped.inc(entries);
      logger.warn(
        { entries, batches, reason },
        reason === 'overflow' ? 'The relay buffer is full; its oldest segment was dropped.' : 'A damaged relay buffer segment was cut short.',
      );
    },
  });
  new Gauge({
    name: 'meshlog_relay_buffer_bytes',
    help: 'Bytes in the relay buffer on disk.',
    registers,
    collect() {
      this.set(log.stats().bytes);
    },
  });
  new Gauge({
    name: 'meshlog_relay_buffer_entries',
    help: 'Entries in the relay buffer the server has not acknowledged.',
    registers,
    collect() {
      this.set(log.stats().unackedEntries);
    },
  });
  new Gauge({
    name: 'meshlog_relay_connected',
    help: '1 while the agent is connected to the server.',
    registers,
    collect() {
      this.set(call && welcomed ? 1 : 0);
    },
  });

  const windowBytes = options.windowBytes ?? 16 * 1024 * 1024;
  const client = new grpc.Client(options.server, options.credentials, {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  let call: grpc.ClientDuplexStream<Uint8Array, Buffer> | undefined;
  let welcomed = false;
  let cursor = log.cursor(log.acked());
  /** Sent and not acknowledged: sequence, bytes, entries. */
  const inflight: Array<[number, number, number]> = [];
  let inflightBytes = 0;
  let waitingForDrain = false;
  let closing = false;
  let backoffMs = 250;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let inventoryTimer: NodeJS.Timeout | undefined;
  let lastProblem = '';
  const ackListeners: Array<() => void> = [];
  let lastWriteProblem = '';
  /** Reasons already logged: a refusal repeats for every batch of the same proxy. */
  const refusals = new Set<string>();

  const pump = () => {
    if (!call || !welcomed || waitingForDrain) return;
    while (inflightBytes < windowBytes) {
      const records = cursor.next(Math.min(1 << 20, windowBytes - inflightBytes));
      if (records.length === 0) return;
      for (const r of records) {
        inflight.push([r.sequence, r.bytes.byteLength, r.entries]);
        inflightBytes += r.bytes.byteLength;
        sentBatches.inc();
        sentBytes.inc(r.bytes.byteLength);
        if (!call.write(r.bytes)) waitingForDrain = true;
      }
      if (waitingForDrain) {
        call.once('drain', () => {
          waitingForDrain = false;
          pump();
        });
        return;
      }
    }
  };

  const sendInventory = () => {
    if (!call || !welcomed) return;
    call.write(encodeAgentMessage({ inventory: { proxies: options.inventory() } }));
  };

  const onMessage = (message: ServerMessage) => {
    if ('welcome' in message) {
      welcomed = true;
      backoffMs = 250;
      if (lastProblem) logger.info({ server: options.server }, 'Connected to the relay server again; sending the buffer.');
      lastProblem = '';
      // What the server already has (an ack lost in a crash) is not sent again.
      if (message.welcome.storedThrough > log.stats().lastSequence) log.advanceTo(message.welcome.storedThrough);
      log.ack(message.welcome.storedThrough);
      cursor = log.cursor(log.acked());
      sendInventory();
      pump();
    } else if ('resources' in message) {
      options.onResources(message.resources.documents, message.resources.generation);
    } else if ('ack' in message) {
      const through = message.ack.through;
      log.ack(through);
      while (inflight.length > 0 && inflight[0]![0] <= through) {
        const [, bytes, entries] = inflight.shift()!;
        inflightBytes -= bytes;
        ackedEntries.inc(entries);
      }
      for (const listener of ackListeners.splice(0)) listener();
      pump();
    } else if ('refused' in message) {
      refused.inc();
      if (!refusals.has(message.refused.reason) && refusals.size < 1000) {
        refusals.add(message.refused.reason);
        logger.error(
          { sequence: message.refused.sequence, reason: message.refused.reason },
          'The relay server refused a batch; its entries are dropped (meshlog_relay_refused_total counts the next ones).',
        );
      }
    }
  };

  const disconnected = (problem: string, code?: grpc.status) => {
    if (!call) return;
    call = undefined;
    welcomed = false;
    waitingForDrain = false;
    inflight.length = 0;
    inflightBytes = 0;
    if (closing) return;
    if (problem !== lastProblem) {
      const fields = { server: options.server, problem, buffered: log.stats().unackedEntries };
      if (code === grpc.status.PERMISSION_DENIED || code === grpc.status.UNAUTHENTICATED)
        logger.error(fields, 'The relay server refused this agent; entries stay in the buffer.');
      else logger.warn(fields, 'The relay server is not reachable; entries are buffered and sent when it is back.');
      lastProblem = problem;
    }
    const cap = code === grpc.status.PERMISSION_DENIED ? 30_000 : 5_000;
    reconnectTimer = setTimeout(connect, backoffMs);
    backoffMs = Math.min(cap, backoffMs * 2);
  };

  function connect(): void {
    reconnectTimer = undefined;
    if (closing) return;
    const c = client.makeBidiStreamRequest(
      relayServicePath,
      (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      (b: Buffer) => b,
    );
    call = c;
    c.on('data', (bytes: Buffer) => {
      if (call !== c) return;
      try {
        onMessage(decodeServerMessage(bytes));
      } catch (err) {
        logger.warn({ err }, 'A message from the relay server did not decode; reconnecting.');
        c.cancel();
      }
    });
    c.on('error', (err: grpc.ServiceError) => {
      if (call === c) disconnected(err.details || err.message, err.code);
    });
    c.on('end', () => {
      if (call === c) disconnected('the server ended the stream');
    });
    c.write(encodeAgentMessage({ hello: { agentId: log.agentId, cluster: options.cluster, version } }));
  }

  const syncTimer = setInterval(() => {
    log.sync().catch((err: unknown) => logger.error({ err }, 'The relay buffer cannot be synced to disk.'));
  }, options.syncIntervalMs ?? 1_000);
  syncTimer.unref();
  inventoryTimer = setInterval(sendInventory, options.inventoryIntervalMs ?? 5_000);
  inventoryTimer.unref();
  let inventorySoon: NodeJS.Timeout | undefined;
  connect();

  return {
    agentId: log.agentId,
    append(batches) {
      for (const b of batches) {
        try {
          log.append((sequence) => encodeBatchMessage({ ...b, sequence }), b.count);
        } catch (err) {
          // The buffer's disk is full or failing: these entries cannot be kept; the agent goes on.
          dropped.inc(b.count);
          const problem = err instanceof Error ? err.message : String(err);
          if (problem !== lastWriteProblem)
            logger.error({ bufferDir: options.bufferDir, problem }, 'The relay buffer cannot be written; entries are dropped and counted until it can.');
          lastWriteProblem = problem;
          continue;
        }
        lastWriteProblem = '';
      }
      pump();
    },
    sync: () => (lastWriteProblem ? Promise.reject(new Error(`the relay buffer cannot be written: ${lastWriteProblem}`)) : log.sync()),
    inventoryChanged() {
      inventorySoon ??= setTimeout(() => {
        inventorySoon = undefined;
        sendInventory();
      }, 200);
    },
    connected: () => call !== undefined && welcomed,
    async close(deadlineMs = 5_000) {
      if (closing) return;
      const deadline = Date.now() + deadlineMs;
      pump();
      while (call && welcomed && log.acked() < log.stats().lastSequence && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          ackListeners.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      closing = true;
      clearInterval(syncTimer);
      if (inventoryTimer) clearInterval(inventoryTimer);
      inventoryTimer = undefined;
      if (inventorySoon) clearTimeout(inventorySoon);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      call?.end();
      call = undefined;
      client.close();
      await log.sync().catch(() => undefined);
      log.close();
    },
  };
}
