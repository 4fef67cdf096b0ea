/**
 * `meshlog demo`: the Gloo guide's relay topology on this machine. A `meshlog server` and one
 * `meshlog agent` per cluster (`mgmt-cluster`, `remote-cluster`) run as separate processes on
 * loopback, over mTLS with certificates made for this run; the guide's AccessLogRecord and a
 * MeshAccessLog that writes failed calls to a file are applied on the server; simulated bookinfo
 * sidecars of each cluster send ALS to their cluster's agent. The guide's curls work as written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { clusters } from '../demo/bookinfo-proxies.js';
import { startBookinfoTraffic } from '../demo/bookinfo-traffic.js';
import { failedCallsLog, failedCallsPolicy } from '../demo/demo-policy.js';
import { startTopology } from '../demo/topology.js';
import { addServeOptions, parsePort, type ServeFlags, serverOptionsFrom, stopOnSignals } from './serve.js';

/** The record of the Gloo access-logging guide: every workload, requests with `foo: bar`. */
export const guideRecord = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata:
  name: access-log-all
  namespace: gloo-mesh
spec:
  filters:
    - headerMatcher:
        name: foo
        value: bar
`;

interface DemoFlags extends ServeFlags {
  alsPort: string;
  relayPort: string;
  metricsPort: string;
  rate: string;
}

export function demoCommand(): Command {
  const command = new Command('demo').description(
    "The Gloo guide's topology: a server and an agent per cluster, the guide's AccessLogRecord and simulated bookinfo traffic.",
  );
  return addServeOptions(command, { dataDir: '' })
    .option('--relay-port <port>', "the server's port for agents", '9900')
    .option('--metrics-port <port>', "the first agent's metrics port (the next agent's is one more)", '9091')
    .option('--rate <n>', 'simulated user requests per second', '5')
    .action(async (flags: DemoFlags) => {
      const temporary = flags.dataDir === '';
      const dir = temporary ? mkdtempSync(path.join(tmpdir(), 'meshlog-demo-')) : flags.dataDir;
      // The flags are checked here, before any process starts.
      const options = serverOptionsFrom({ ...flags, dataDir: dir });
      process.on('exit', () => {
        if (temporary) rmSync(dir, { recursive: true, force: true });
      });
      const topology = await startTopology({
        dir,
        clusters,
        httpHost: flags.httpHost,
        httpPort: options.httpPort!,
        relayPort: parsePort('relay-port', flags.relayPort),
        alsHost: flags.alsHost,
        alsPort: options.alsPort!,
        metricsPort: parsePort('metrics-port', flags.metricsPort),
        logLevel: flags.logLevel,
        // The agents write the file backends; the server's validation allows the same place.
        agentFlags: [
          '--file-sink-root',
          path.dirname(failedCallsLog(dir)),
          '--max-streams',
          flags.maxStreams,
          '--max-streams-per-peer',
          flags.maxStreamsPerPeer,
          '--als-idle-timeout',
          flags.alsIdleTimeout,
          '--max-message-bytes',
          flags.maxMessageBytes,
        ],
        serverFlags: [
          '--file-sink-root',
          path.dirname(failedCallsLog(dir)),
          '--store',
          flags.store,
          '--retention-age',
          flags.retentionAge,
          '--retention-size',
          flags.retentionSize,
          '--log-level',
          flags.logLevel,
          ...(flags.configDir ? ['--config-dir', flags.configDir] : []),
          ...(flags.authToken ? ['--auth-token', flags.authToken] : []),
          ...(flags.ingestWorkers ? ['--ingest-workers', flags.ingestWorkers] : []),
        ],
      });
      const api = `localhost:${options.httpPort}`;
      const applied = await fetch(`http://${api}/api/v1/resources`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml', ...(flags.authToken ? { authorization: `Bearer ${flags.authToken}` } : {}) },
        body: `${guideRecord}---\n${failedCallsPolicy(dir)}`,
      });
      if (!applied.ok) throw new Error(`applying the demo's resources failed: ${await applied.text()}`);
      const traffic = startBookinfoTraffic({
        target: (cluster) => topology.als[cluster]!,
        requestsPerSecond: Number(flags.rate),
        onError: (err: Error) => options.logger.warn({ err }, 'The traffic simulator hit an error; it keeps going.'),
      });
      const agents = clusters.map((c) => `${c} (ALS ${topology.als[c]}, metrics :${topology.metricsPorts[c]})`).join(' and ');
      process.stdout.write(
        [
          '',
          `meshlog demo: a server (API http://${api}, relay :${flags.relayPort}) and two agents, ${agents},`,
          `  as separate processes over mTLS (certificates made for this run in ${topology.certificatesDir}).`,
          `  the web viewer: http://${api}/  (logs, failures, one request's hops, overview, proxies)`,
          "  Simulated Istio sidecars of bookinfo send ALS to their cluster's agent; the record 'access-log-all'",
          '  collects requests that carry the header foo: bar. Try, in another terminal:',
          '',
          `  curl -XPOST '${api}/v0/observability/logs?pretty'`,
          `  curl -XPOST --data '{"workloadSelectors":[{"kubeWorkloadMatcher":{"labels":{"app":"reviews"},"clusters":["mgmt-cluster"]}}]}' '${api}/v0/observability/logs?pretty'`,
          `  curl -XPOST '${api}/v0/observability/logs?watch=1&pretty'`,
          '  npx meshlog logs --follow --status 5xx',
          '  npx meshlog logs --status 5xx -o wide                           (each line ends with id=REQUEST_ID)',
          '  npx meshlog trace REQUEST_ID                                    (that request across every proxy)',
          '',
          "  The MeshAccessLog 'failed-calls' is delivered by each agent: every failed call, from the caller's side, goes to",
          `  tail -f ${failedCallsLog(dir)}`,
          '  npx meshlog inspect remote-cluster/bookinfo/productpage-v1      (what applies to a proxy, and why)',
          '',
          'Ctrl-C stops it.',
          '',
        ].join('\n'),
      );
      stopOnSignals({ shutdown: () => topology.stop(), reopenLogFiles: async () => undefined }, options.logger, async () => {
        await traffic.stop();
      });
    });
}
