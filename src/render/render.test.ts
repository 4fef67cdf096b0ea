import { describe, expect, it } from 'vitest';
import { interpolate, placeholderValues } from './placeholders.js';
import { renderAccessLogs } from './render-access-logs.js';
import { renderBootstrap } from './render-bootstrap.js';
import { renderIstio } from './render-istio.js';
import { glooRecord, httpInbound, httpOutbound, options, proxy, proxyConfig, rule } from './testing/fixtures.js';

describe('placeholders', () => {
  it('substitutes static per-listener values as Kuma does, doubling % in values', () => {
    const values = placeholderValues({ ...proxy, mesh: 'a%b' }, httpOutbound([]));
    expect(interpolate('%KUMA_MESH% %KUMA_SOURCE_ADDRESS% %KUMA_SOURCE_SERVICE% %KUMA_TRAFFIC_DIRECTION% %RESPONSE_CODE%', values)).toBe(
      'a%%b 10.0.0.5:0 web OUTBOUND %RESPONSE_CODE%',
    );
    const inbound = placeholderValues(proxy, httpInbound([]));
    expect(inbound['KUMA_SOURCE_SERVICE']).toBe('unknown');
    expect(inbound['KUMA_DESTINATION_SERVICE']).toBe('web');
  });
});

describe('renderAccessLogs', () => {
  it('calls a render the checker refuses a meshlog bug, with the path', () => {
    const config = proxyConfig({ outbounds: [httpOutbound([rule([{ type: 'file', path: '' }])])] });
    expect(() => renderAccessLogs(config, [], options)).toThrow(
      /meshlog bug.*\n.*listeners\["outbound:backend"\]\.access_log\[0\]\.typed_config\.path: must not be empty/,
    );
  });

  it('leaves the agent cluster out when nothing goes to the agent', () => {
    const rendered = renderAccessLogs(proxyConfig({ outbounds: [httpOutbound([rule([{ type: 'file', path: '/a' }])])] }), [], options);
    expect(rendered.clusters).toEqual([]);
    const withRecords = renderAccessLogs(proxyConfig({ outbounds: [httpOutbound([])] }), [glooRecord], options);
    expect(withRecords.clusters.map((c) => c['name'])).toEqual(['meshlog_agent']);
  });

  it('sends one gRPC logger per rule to the agent however many agent backends the rule has', () => {
    const rendered = renderAccessLogs(
      proxyConfig({ outbounds: [httpOutbound([rule([{ type: 'tcp', address: 'a:1' }, { type: 'store' }, { type: 'tcp', address: 'b:2' }])])] }),
      [],
      options,
    );
    expect(rendered.listeners[0]!.access_log.map((l) => l['name'])).toEqual(['envoy.access_loggers.http_grpc']);
  });
});

describe('renderBootstrap', () => {
  it('checks the whole bootstrap and calls a failure a meshlog bug', () => {
    const config = proxyConfig({ outbounds: [{ ...httpOutbound([rule([{ type: 'file', path: '/a' }])]), port: 70000 }] });
    expect(() => renderBootstrap(config, [], options)).toThrow(
      /meshlog bug[\s\S]*static_resources\.listeners\[0\]\.address\.socket_address\.port_value: must be at most 65535/,
    );
  });

  it('routes inbounds to the application port and outbounds to the destination service', () => {
    const { bootstrap } = renderBootstrap(proxyConfig({ inbounds: [httpInbound([])], outbounds: [httpOutbound([])] }), [], options);
    const clusters = (bootstrap['static_resources'] as { clusters: { name: string }[] }).clusters.map((c) => c.name);
    expect(clusters).toEqual(['localhost:80', 'backend']);
  });
});

describe('renderIstio', () => {
  it('shares one provider between listeners whose loggers are the same, with one CEL filter per use', () => {
    const same = rule([{ type: 'file', path: '/var/log/all.log', format: { plain: '%RESPONSE_CODE%' } }]);
    const istio = renderIstio(proxyConfig({ inbounds: [httpInbound([same])], outbounds: [httpOutbound([same])] }), [], options);
    const providers = istio.meshConfig['extensionProviders'] as { name: string }[];
    expect(providers).toHaveLength(1);
    const telemetry = istio.resources[0] as { spec: { accessLogging: { match: { mode: string }; filter: { expression: string } }[] } };
    expect(telemetry.spec.accessLogging).toEqual([
      {
        providers: [{ name: providers[0]!.name }],
        match: { mode: 'CLIENT_AND_SERVER' },
        filter: {
          expression: 'xds.cluster_name.startsWith("inbound|8080|") || xds.cluster_name.matches("^outbound\\\\|10001\\\\|[^|]*\\\\|backend(\\\\..*)?$")',
        },
      },
    ]);
  });

  it('renders no Telemetry when nothing is logged, but still the ALS mesh config', () => {
    const istio = renderIstio(proxyConfig({ inbounds: [httpInbound([])] }), [], options);
    expect(istio.resources).toEqual([]);
    expect(istio.meshConfig['defaultConfig']).toEqual({
      envoyAccessLogService: { address: 'meshlog-agent.meshlog:9977' },
      proxyMetadata: { GLOO_MESH_CLUSTER_NAME: 'cluster-1' },
    });
  });
});
