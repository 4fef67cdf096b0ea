/**
 * Goldens for every Kuma 2.14 target kind and the OpenTelemetry backendRef, from resources as a
 * user writes them (`testdata/kinds/<case>.yaml`) through the policy engine to Envoy config: the
 * rendered loggers and clusters, with the `meshlog inspect` text of the same proxy beside them.
 * `UPDATE_GOLDEN=1` rewrites `testdata/kinds_<case>.golden.yaml`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResources } from '../api/load-yaml.js';
import { buildPolicyContext, describeProxyConfig, resolveProxy } from '../policy/index.js';
import { renderAccessLogs } from './render-access-logs.js';
import { options } from './testing/fixtures.js';
import { compareGolden } from './testing/golden.js';

const cases: Record<string, string> = {
  dataplane_section: 'web-1',
  gateway_listeners: 'edge-1',
  outbound_service_kinds: 'web-1',
  outbound_meshhttproute: 'web-1',
  otel_backend_ref: 'web-1',
};

describe('rendered config for each target kind, from resources', () => {
  it.each(Object.entries(cases))('%s', (name, proxyName) => {
    const text = readFileSync(new URL(`./testdata/kinds/${name}.yaml`, import.meta.url), 'utf8');
    const { resources, problems } = loadResources(text, `${name}.yaml`);
    expect(problems.map(formatProblem)).toEqual([]);
    const context = buildPolicyContext(resources.map((r) => r.resource));
    const proxy = context.proxies.find((p) => p.name === proxyName)!;
    const config = resolveProxy(context.set, proxy);
    const { expected, actual } = compareGolden(`kinds_${name}`, { inspect: describeProxyConfig(config), envoy: renderAccessLogs(config, [], options) });
    expect(actual).toBe(expected);
  });
});
