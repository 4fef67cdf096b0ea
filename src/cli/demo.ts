/**
 * `meshlog demo`: `serve` on a throw-away data directory with the Gloo guide's AccessLogRecord,
 * a MeshAccessLog that writes failed calls to a file, and simulated bookinfo traffic in two
 * clusters, so that the guide's curls work as written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadResources } from '../api/load-yaml.js';
import { startBookinfoTraffic } from '../demo/bookinfo-traffic.js';
import { failedCallsLog, failedCallsPolicy } from '../demo/demo-policy.js';
import { runServer } from '../runtime/serve.js';
import { addServeOptions, type ServeFlags, serverOptionsFrom, stopOnSignals } from './serve.js';

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
  rate: string;
}

export function demoCommand(): Command {
  const command = new Command('demo').description("Serve with the Gloo guide's AccessLogRecord and simulated bookinfo traffic.");
  return addServeOptions(command, { dataDir: '' })
    .option('--rate <n>', 'simulated user requests per second', '5')
    .action(async (flags: DemoFlags) => {
      const temporary = flags.dataDir === '';
      const dataDir = temporary ? mkdtempSync(path.join(tmpdir(), 'meshlog-demo-')) : flags.dataDir;
      const options = serverOptionsFrom({ ...flags, dataDir });
      const server = await runServer(options);
      const { resources } = loadResources(`${guideRecord}---\n${failedCallsPolicy(dataDir)}`, 'demo');
      await server.resources.repository.apply(resources.map((r) => r.resource));
      const traffic = startBookinfoTraffic({
        target: `127.0.0.1:${server.alsPort}`,
        requestsPerSecond: Number(flags.rate),
        onError: (err: Error) => options.logger.warn({ err }, 'The traffic simulator hit an error; it keeps going.'),
      });
      const api = `localhost:${server.httpPort}`;
      process.stdout.write(
        [
          '',
          `meshlog demo: collecting Envoy access logs on :${server.alsPort}, API on http://${api}`,
          `  the web viewer: http://${api}/  (logs, failures, one request's hops, overview, proxies)`,
          "  simulated Istio sidecars of bookinfo in mgmt-cluster and remote-cluster; the record 'access-log-all'",
          '  collects requests that carry the header foo: bar. Try, in another terminal:',
          '',
          `  curl -XPOST '${api}/v0/observability/logs?pretty'`,
          `  curl -XPOST --data '{"workloadSelectors":[{"kubeWorkloadMatcher":{"labels":{"app":"reviews"},"clusters":["mgmt-cluster"]}}]}' '${api}/v0/observability/logs?pretty'`,
          `  curl -XPOST '${api}/v0/observability/logs?watch=1&pretty'`,
          '  npx meshlog logs --follow --status 5xx',
          '  npx meshlog logs --status 5xx -o wide                           (each line ends with id=REQUEST_ID)',
          '  npx meshlog trace REQUEST_ID                                    (that request across every proxy)',
          '',
          "  The MeshAccessLog 'failed-calls' writes every failed call, from the caller's side, to a file:",
          `  tail -f ${failedCallsLog(dataDir)}`,
          "  npx meshlog inspect remote-cluster/bookinfo/productpage-v1      (what applies to a proxy, and why)",
          '',
          'Ctrl-C stops it.',
          '',
        ].join('\n'),
      );
      stopOnSignals(server, options.logger, async () => {
        await traffic.stop();
      });
      process.on('exit', () => {
        if (temporary) rmSync(dataDir, { recursive: true, force: true });
      });
    });
}
