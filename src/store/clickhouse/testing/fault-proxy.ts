/**
 * A TCP proxy on loopback in front of a test ClickHouse that can fail the way a network does:
 * refuse connections (the server is away), or pass an insert through and lose its answer (the
 * batch is stored but the writer cannot know).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface FaultProxy {
  readonly port: number;
  /** Stop accepting and cut every open connection. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** The answer to the next request whose bytes contain `marker` is lost after the server acted on it. */
  loseNextAnswerTo(marker: string): void;
  /** How many answers were lost so far. */
  readonly lost: number;
  close(): Promise<void>;
}

export async function createFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let marker: string | undefined;
  let lost = 0;
  let server: Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = createConnection(target);
        sockets.add(client);
        sockets.add(upstream);
        let losing = false;
        client.on('data', (chunk) => {
          if (marker !== undefined && chunk.includes(marker)) {
            marker = undefined;
            losing = true;
          }
          upstream.write(chunk);
        });
        upstream.on('data', (chunk) => {
          if (losing) {
            lost++;
            client.destroy();
            upstream.destroy();
            return;
          }
          client.write(chunk);
        });
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('close', end);
        upstream.on('close', end);
        client.on('error', end);
        upstream.on('error', end);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });

  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return {
    get port() {
      return port;
    },
    down,
    up: listen,
    loseNextAnswerTo(m) {
      marker = m;
    },
    get lost() {
      return lost;
    },
    close: down,
  };
}
