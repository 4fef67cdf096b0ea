import { describe, expect, it } from 'vitest';
import { glooRecord, httpInbound, httpOutbound, options, proxy, proxyConfig, rule } from './fixtures.js';
import { interpolate, placeholderValues } from './placeholders.js';
import { renderAccessLogs } from './render-access-logs.js';

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
    expect(() => renderAccessLogs(config, [], options)).toThrow(/meshlog bug.*\n.*listeners\["outbound:backend"\]\.access_log\[0\]\.typed_config\.path: must not be empty/);
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
