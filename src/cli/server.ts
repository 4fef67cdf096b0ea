/**
 * `meshlog server`: the store, the HTTP API, watches and resources, fed by `meshlog agent`s over
 * the relay (mTLS, port 9900), with no ALS port of its own unless `--als-port` is given.
 */
import * as grpc from '@grpc/grpc-js';
import { Command } from 'commander';
import { createAgentAuthorizer, parseAgentSans } from '../relay/agent-clusters.js';
import { serverCredentials } from '../relay/tls.js';
import { runRelayServer } from '../runtime/server.js';
import { addRelayTlsOptions, type RelayTlsFlags, relayTls } from './relay-flags.js';
import { addServeOptions, parsePort, type ServeFlags, serverOptionsFrom, stopOnSignals } from './serve.js';

interface ServerFlags extends ServeFlags, RelayTlsFlags {
  relayHost: string;
  relayPort: string;
  agentSan: string[];
}

export function serverCommand(): Command {
  const command = addServeOptions(new Command('server').description('Run the store and the API for agents in every cluster (the relay, with mTLS).'), {
    dataDir: './meshlog-data',
    alsPort: null,
  })
    .option('--relay-host <host>', 'address for agents', '0.0.0.0')
    .option('--relay-port <port>', 'port for agents (gRPC, meshlog.relay.v1)', '9900')
    .option(
      '--agent-san <SAN=CLUSTERS>',
      'an agent certificate SAN (DNS:name, URI:...) and the clusters it may speak for, comma-separated; repeatable (default: each DNS name is a cluster)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    );
  return addRelayTlsOptions(command, "the agents'").action(async (flags: ServerFlags) => {
    const options = serverOptionsFrom(flags);
    const tls = relayTls(flags, options.logger, 'anyone who reaches the relay port can write entries for any cluster.');
    const server = await runRelayServer({
      ...options,
      relayHost: flags.relayHost,
      relayPort: parsePort('relay-port', flags.relayPort),
      relayCredentials: tls ? serverCredentials(tls, '--tls', true) : grpc.ServerCredentials.createInsecure(),
      authorize: createAgentAuthorizer({ insecure: tls === undefined, sans: parseAgentSans(flags.agentSan) }),
    });
    stopOnSignals(server, options.logger);
  });
}
