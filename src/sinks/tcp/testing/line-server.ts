/**
 * A TCP peer for the tcp sink's tests that records every byte it gets, as a Logstash or Vector
 * tcp input would, on loopback; `port` lets a test bring it back where a sink is already dialling.
 */
import net from 'node:net';

export interface LineServer {
  readonly port: number;
  readonly received: Buffer[];
  lines(): string[];
  connections: number;
  stop(): Promise<void>;
}

/** A TCP peer that records every byte it gets, like a Logstash tcp input would. */
export async function startLineServer(port = 0): Promise<LineServer> {
  const sockets = new Set<net.Socket>();
  const received: Buffer[] = [];
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    lines: () =>
      Buffer.concat(received)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    get connections() {
      return state.connections;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
