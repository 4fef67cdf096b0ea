/**
 * `meshlog server`: the management side of the multi-cluster shape. The store, the HTTP API,
 * watches and resources as in `serve`, fed by agents over the relay (`--relay-port`, 9900) and,
 * only when asked, by Envoy directly over ALS. Relayed entries go through the same ingest pool and
 * pipeline as ALS ones, already chosen at the edge.
 */
import type * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { findKind } from '../api/kinds.js';
import { encodeResource } from '../api/resource.js';
import type { AgentAuthorizer } from '../relay/agent-clusters.js';
import { createRelayReceiver, type RelayReceiver, type RelayResources } from '../relay/receiver.js';
import type { ResourcesRuntime } from './resources.js';
import { type RunningServer, runServer, type ServerOptions } from './serve.js';

export interface RelayServerOptions extends ServerOptions {
  readonly relayHost?: string;
  /** 0 picks a free port. */
  readonly relayPort: number;
  readonly relayCredentials: grpc.ServerCredentials;
  readonly authorize: AgentAuthorizer;
}

export interface RunningRelayServer extends RunningServer {
  readonly relayPort: number;
  readonly relay: RelayReceiver;
}

export async function runRelayServer(options: RelayServerOptions): Promise<RunningRelayServer> {
  let relay: RelayReceiver | undefined;
  const server = await runServer({
    ...options,
    inputs: [
      async ({ pool, proxies, store, resources, metrics, logger }) => {
        relay = createRelayReceiver({
          host: options.relayHost ?? '0.0.0.0',
          port: options.relayPort,
          credentials: options.relayCredentials,
          authorize: options.authorize,
          consumer: pool,
          marks: () => store.marks?.() ?? Promise.resolve(new Map()),
          proxies,
          resources: relayResources(resources),
          metrics,
          logger,
        });
        await relay.start();
        logger.info({ relayPort: relay.port }, 'Taking entries from agents.');
        return relay;
      },
    ],
  });
  return Object.assign(server, { relayPort: relay!.port, relay: relay! });
}

/** The resources in force as one YAML stream, rebuilt when they change. */
function relayResources(runtime: ResourcesRuntime): RelayResources {
  let generation = 1;
  let documents: string | undefined;
  const listeners: Array<() => void> = [];
  runtime.repository.subscribe(() => {
    generation++;
    documents = undefined;
    for (const listener of listeners) listener();
  });
  return {
    current() {
      documents ??= runtime.repository
        .list()
        .map((r) => stringify(encodeResource(r.resource, findKind(r.resource.kind)!)))
        .join('---\n');
      return { generation, documents };
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
