/**
 * Writes batches of lines to one TCP peer, newline-delimited as Kuma's kuma-dp streamer does
 * (no other framing). The connection opens on the first batch and again on the batch after it
 * broke; how often that is tried is the delivery queue's backoff, so a peer that is away costs a
 * connect attempt per backoff step, not per record.
 *
 * A batch counts as written once the kernel took all of it. TCP has no acknowledgement an
 * application can see, so bytes the kernel took just before the peer died can be lost without
 * an error; a batch whose write fails is sent again in full on a new connection (at-least-once).
 */
import net from 'node:net';
import type { HostPort } from '../shared/addresses.js';
import { PermanentDeliveryError } from '../shared/delivery-errors.js';
import { guardedLookup, literalAddressProblem, type SinkPolicy } from '../shared/destination-policy.js';
import { encodeLines, type LineRecord } from '../shared/line-record.js';
import type { BatchWriter } from '../types.js';

export interface TcpWriterOptions {
  readonly connectTimeoutMs: number;
  /** The operator's bounds: a name is resolved and its addresses checked before each connect. */
  readonly policy?: SinkPolicy;
  /** A peer that takes no bytes for this long fails the batch, and the connection is dropped. */
  readonly writeTimeoutMs: number;
}

function connect(address: HostPort, timeoutMs: number, signal: AbortSignal, policy: SinkPolicy | undefined): Promise<net.Socket> {
  const refused = literalAddressProblem(address.host, policy);
  if (refused) return Promise.reject(new PermanentDeliveryError(`Refusing to connect: ${refused}.`));
  return new Promise((resolve, reject) => {
    // Under a policy, names resolve through the guarded lookup: every address is checked first.
    const socket = net.createConnection({ host: address.host, port: address.port, ...(policy ? { lookup: guardedLookup(policy) } : {}) });
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error) => fail(error);
    const onAbort = () => fail(new Error('Connect aborted by shutdown.'));
    const timer = setTimeout(() => fail(new Error(`Connect to ${address.host}:${address.port} timed out after ${timeoutMs} ms.`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}

export function createTcpWriter(address: HostPort, options: TcpWriterOptions): BatchWriter<LineRecord> {
  let socket: net.Socket | null = null;

  function forget(s: net.Socket): void {
    if (socket === s) socket = null;
    s.destroy();
  }

  async function connected(signal: AbortSignal): Promise<net.Socket> {
    if (socket !== null && !socket.destroyed) return socket;
    const s = await connect(address, options.connectTimeoutMs, signal, options.policy);
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    // Errors surface through the write callback; this listener only keeps them from being unhandled.
    s.on('error', () => undefined);
    // The peer closing its side means it is going away: stop writing into a connection it will reset.
    s.once('end', () => forget(s));
    s.once('close', () => forget(s));
    // The protocol is one-way; whatever the peer sends is read and discarded so it cannot pile up.
    s.resume();
    socket = s;
    return s;
  }

  return {
    async write(batch, signal) {
      const bytes = encodeLines(batch);
      const s = await connected(signal);
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (error?: Error | null) => {
          if (settled) return;
          settled = true;
          clearInterval(timer);
          s.off('close', onClose);
          signal.removeEventListener('abort', onAbort);
          if (error) {
            forget(s);
            reject(error);
          } else {
            resolve();
          }
        };
        const onClose = () => finish(new Error('The connection closed during the write.'));
        const onAbort = () => finish(new Error('Write aborted by shutdown.'));
        // A large batch to a slow peer may take long; only a peer that takes nothing at all fails it.
        let pending = Number.POSITIVE_INFINITY;
        const timer = setInterval(() => {
          if (s.writableLength < pending) pending = s.writableLength;
          else finish(new Error(`The peer took nothing of the batch for ${options.writeTimeoutMs} ms.`));
        }, options.writeTimeoutMs);
        s.once('close', onClose);
        signal.addEventListener('abort', onAbort, { once: true });
        s.write(bytes, (error) => finish(error ?? null));
      });
    },

    async close() {
      const s = socket;
      socket = null;
      if (s === null || s.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => s.destroy(), 1_000);
        s.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        s.end();
      });
    },
  };
}
