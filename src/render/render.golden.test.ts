import { describe, expect, it } from 'vitest';
import type { AccessLogRecordLike } from '../api/access-log-record/model.js';
import type { ProxyLogConfig } from '../policy/types.js';
import { renderAccessLogs } from './render-access-logs.js';
import { renderBootstrap } from './render-bootstrap.js';
import { renderIstio } from './render-istio.js';
import { renderEnvoyFilter, renderMeshProxyPatch } from './render-patches.js';
import { glooRecord, httpInbound, httpOutbound, options, proxyConfig, route, rule, tcpInbound, tcpOutbound } from './testing/fixtures.js';
import { compareGolden } from './testing/golden.js';

const plain = '[%START_TIME%] %KUMA_MESH% %KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE% %KUMA_TRAFFIC_DIRECTION% %RESPONSE_CODE% 100%%';

const allPlaceholders =
  '%KUMA_MESH% %KUMA_ZONE% [%KUMA_WORKLOAD%] %KUMA_SOURCE_SERVICE% %KUMA_DESTINATION_SERVICE% %KUMA_SOURCE_ADDRESS% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT% %KUMA_TRAFFIC_DIRECTION%';

const cases: Record<string, { config: ProxyLogConfig; records?: AccessLogRecordLike[] }> = {
  outbound_file_default_format: {
    config: proxyConfig({ outbounds: [httpOutbound([rule([{ type: 'file', path: '/var/log/backend.log' }])])] }),
  },
  outbound_file_plain_format: {
    config: proxyConfig({
      outbounds: [httpOutbound([rule([{ type: 'file', path: '/var/log/plain.log', format: { plain, omitEmptyValues: true } }])])],
    }),
  },
  outbound_file_json_format: {
    config: proxyConfig({
      outbounds: [
        httpOutbound([
          rule([
            {
              type: 'file',
              path: '/var/log/json.log',
              format: {
                json: [
                  { key: 'mesh', value: '%KUMA_MESH%' },
                  { key: 'duration', value: '%DURATION%' },
                  { key: 'path', value: '%REQ(:PATH)%' },
                  { key: 'path', value: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%' },
                ],
                omitEmptyValues: true,
              },
            },
          ]),
        ]),
      ],
    }),
  },
  inbound_file_placeholders: {
    config: proxyConfig({ inbounds: [httpInbound([rule([{ type: 'file', path: '/dev/stdout', format: { plain: allPlaceholders } }])])] }),
  },
  outbound_tcp_backend: {
    config: proxyConfig({
      outbounds: [
        httpOutbound([
          rule([
            {
              type: 'tcp',
              address: 'logstash.logging:5000',
              format: { plain: '%REQ(X-TENANT)% %RESP(CONTENT-TYPE)% %TRAILER(GRPC-MESSAGE)% %FILTER_STATE(wasm.peer:PLAIN)%' },
            },
            { type: 'tcp', address: 'logstash.logging:5001' },
          ]),
        ]),
      ],
    }),
  },
  store_backend: {
    config: proxyConfig({ inbounds: [httpInbound([rule([{ type: 'store' }])])] }),
  },
  otel_grpc_backend: {
    config: proxyConfig({
      outbounds: [
        httpOutbound([
          rule([
            { type: 'openTelemetry', endpoint: 'otel-collector.observability:4317' },
            {
              type: 'openTelemetry',
              endpoint: 'otel-collector.observability:4317',
              body: {
                kvlistValue: {
                  values: [
                    { key: 'mesh', value: { stringValue: '%KUMA_MESH%' } },
                    { key: 'status', value: { intValue: 200 } },
                  ],
                },
              },
              attributes: [{ key: 'destination', value: '%KUMA_DESTINATION_SERVICE%' }],
            },
            { type: 'openTelemetry', endpoint: '10.1.2.3:4317', body: '%REQ(:PATH)% by %KUMA_SOURCE_SERVICE%' },
            { type: 'openTelemetry', endpoint: '10.1.2.3:4317', body: { not: 'an AnyValue' } },
          ]),
        ]),
      ],
    }),
  },
  otel_http_endpoint: {
    config: proxyConfig({
      outbounds: [
        httpOutbound([
          rule([
            { type: 'openTelemetry', endpoint: 'https://otlp.example.com/v1/logs', attributes: [{ key: 'ua', value: '%REQ(USER-AGENT)% %REQ(X-CLIENT)%' }] },
          ]),
        ]),
      ],
    }),
  },
  tcp_listeners: {
    config: proxyConfig({
      inbounds: [
        tcpInbound([
          rule([
            { type: 'file', path: '/var/log/db.log' },
            { type: 'tcp', address: 'logstash:5000' },
          ]),
        ]),
      ],
      outbounds: [tcpOutbound([rule([{ type: 'file', path: '/var/log/queue.log', format: { json: [{ key: 'src', value: '%KUMA_SOURCE_ADDRESS%' }] } }])])],
    }),
    records: [glooRecord],
  },
  filtering_ops: {
    config: proxyConfig({
      outbounds: [httpOutbound([rule([{ type: 'file', path: '/tmp/status-eq.log' }], { filtering: { headers: { ':status': { op: 'eq', value: '500' } } } })])],
      inbounds: [
        httpInbound([
          rule([{ type: 'file', path: '/tmp/filtered.log' }], {
            filtering: {
              headers: {
                ':status': { op: 'ne', value: '200' },
                'x-eq': { op: 'eq', value: 'a' },
                'x-ne': { op: 'ne', value: 'b' },
                'x-prefix': { op: 'prefix', value: 'c' },
                'x-regex': { op: 'regex', value: 'd.*' },
                'x-present': { op: 'present' },
                'x-absent': { op: 'absent' },
                'x-gt': { op: 'gt', value: '10' },
                'x-le': { op: 'le', value: '20' },
              },
            },
          }),
        ]),
        { ...tcpInbound([]), rules: [] },
      ],
    }),
  },
  status_comparisons: {
    config: proxyConfig({
      outbounds: (['gt', 'lt', 'ge', 'le', 'prefix'] as const).map((op, i) => ({
        ...httpOutbound([
          rule([{ type: 'file', path: `/tmp/status-${op}.log` }], { filtering: { headers: { ':status': { op, value: op === 'prefix' ? '4' : '400' } } } }),
        ]),
        name: `outbound:status-${op}`,
        port: 11000 + i,
      })),
    }),
  },
  access_log_records: {
    config: proxyConfig({ inbounds: [httpInbound([])], outbounds: [httpOutbound([])] }),
    records: [
      glooRecord,
      {
        name: 'errors-and-tenants',
        namespace: 'team-a',
        spec: {
          filters: [
            { statusCodeMatcher: { value: 404 } },
            { headerMatcher: { name: 'x-tenant', value: 'acme|globex', regex: true } },
            { headerMatcher: { name: 'x-debug', invertMatch: true } },
          ],
          includedRequestHeaders: ['x-tenant', 'FOO'],
          includedResponseTrailers: ['grpc-status'],
          includedFilterStateObjects: ['wasm.upstream_peer'],
        },
      },
    ],
  },
  access_log_record_without_filters: {
    config: proxyConfig({ outbounds: [httpOutbound([])] }),
    records: [glooRecord, { name: 'everything', namespace: 'default', spec: {} }],
  },
  inbound_from_conditions: {
    config: proxyConfig({
      inbounds: [
        httpInbound([
          rule([{ type: 'file', path: '/tmp/exact-client.log' }], {
            matches: [{ spiffeID: { type: 'Exact', value: 'spiffe://default/ns/clients/sa/specific' } }],
          }),
          rule([{ type: 'file', path: '/tmp/prefix-or-sni.log' }], {
            matches: [{ spiffeID: { type: 'Prefix', value: 'spiffe://default/ns/clients/' } }, { sni: { type: 'Exact', value: 'web.mesh' } }],
          }),
          rule([{ type: 'file', path: '/tmp/frontend-v2.log' }], { from: { kind: 'MeshServiceSubset', name: 'frontend', tags: { version: 'v2' } } }),
          rule([{ type: 'file', path: '/tmp/frontend.log' }], { from: { kind: 'MeshService', name: 'frontend' } }),
          rule([{ type: 'file', path: '/tmp/canary.log' }], { from: { kind: 'MeshSubset', tags: { canary: 'true' } } }),
          rule([{ type: 'file', path: '/tmp/admin-service.log' }], { from: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'admin' } } }),
          rule([
            { type: 'file', path: '/tmp/all.log' },
            { type: 'tcp', address: 'logstash:5000' },
          ]),
        ]),
      ],
    }),
  },
  inbound_route_conditions: {
    config: proxyConfig({
      inbounds: [
        httpInbound([
          rule([{ type: 'file', path: '/tmp/api.log' }], {
            route: route('api', [
              { path: { type: 'PathPrefix', value: '/api' }, method: 'post' },
              { path: { type: 'Exact', value: '/login' } },
              { path: { type: 'RegularExpression', value: '/items/[0-9]+' } },
              {
                path: { type: 'PathPrefix', value: '/static/' },
                headers: [
                  { type: 'Exact', name: 'X-Env', value: 'prod' },
                  { type: 'Prefix', name: 'x-team', value: 'pay' },
                  { type: 'RegularExpression', name: 'x-id', value: '[a-f0-9]{8}' },
                  { type: 'Present', name: 'x-trace' },
                  { type: 'Absent', name: 'x-internal' },
                ],
              },
            ]),
          }),
          rule([], { route: route('health', [{ path: { type: 'Exact', value: '/healthz' } }]) }),
          rule([{ type: 'file', path: '/tmp/rest.log' }]),
        ]),
      ],
      outbounds: [
        httpOutbound([
          rule([{ type: 'file', path: '/tmp/backend-all-requests-route.log' }], { route: route('everything', []) }),
          rule([{ type: 'file', path: '/tmp/backend-never.log' }]),
        ]),
      ],
    }),
  },
  policy_errors: {
    config: proxyConfig({
      errors: ['MeshAccessLog default/broken spec.from[0].default.backends[0]: reference to MeshAccessLogBackend missing resolves to nothing'],
      outbounds: [httpOutbound([rule([{ type: 'file', path: '/tmp/x.log' }]), rule([{ type: 'file', path: '/tmp/never.log' }])])],
    }),
  },
};

describe('renderAccessLogs goldens', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const { expected, actual } = compareGolden(name, renderAccessLogs(c.config, c.records ?? [], options));
      expect(actual).toBe(expected);
    });
  }
});

const fullConfig = proxyConfig({
  inbounds: [
    httpInbound([
      rule([{ type: 'file', path: '/dev/stdout' }], {
        from: { kind: 'MeshService', name: 'frontend' },
        filtering: { headers: { ':status': { op: 'ge', value: '500' } } },
      }),
      rule([{ type: 'tcp', address: 'logstash:5000' }]),
    ]),
    tcpInbound([rule([{ type: 'file', path: '/dev/stdout' }])]),
  ],
  outbounds: [
    httpOutbound([
      rule(
        [
          { type: 'openTelemetry', endpoint: 'otel-collector:4317', attributes: [{ key: 'path', value: '%REQ(:PATH)%' }] },
          { type: 'file', path: '/tmp/out.log' },
        ],
        { route: route('api', [{ path: { type: 'PathPrefix', value: '/api' } }]) },
      ),
    ]),
    tcpOutbound([rule([{ type: 'store' }])]),
  ],
});

describe('renderBootstrap golden', () => {
  it('bootstrap', () => {
    const { expected, actual } = compareGolden('bootstrap', renderBootstrap(fullConfig, [glooRecord], options));
    expect(actual).toBe(expected);
  });
});

describe('renderIstio golden', () => {
  it('istio', () => {
    const { expected, actual } = compareGolden('istio', renderIstio(fullConfig, [glooRecord], options));
    expect(actual).toBe(expected);
  });
});

describe('patch goldens', () => {
  it('envoyfilter', () => {
    const { expected, actual } = compareGolden('envoyfilter', renderEnvoyFilter(fullConfig, [glooRecord], options));
    expect(actual).toBe(expected);
  });

  it('meshproxypatch', () => {
    const { expected, actual } = compareGolden('meshproxypatch', renderMeshProxyPatch(fullConfig, [glooRecord], options));
    expect(actual).toBe(expected);
  });
});
