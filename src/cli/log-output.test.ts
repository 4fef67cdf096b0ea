/**
 * How `meshlog logs` prints: the edge line, what it leaves to `-o wide`, colours, times, tables and
 * templates. In-process: these are pure functions over `/api/v1` items.
 */
import { describe, expect, it } from 'vitest';
import { parseTimePoint } from '../util/duration.js';
import { colored, plain, useColor, workloadColor } from './color.js';
import { formatLine, restates, shortenCluster } from './format-compact.js';
import { compileTemplate, createPrinter } from './log-output.js';
import { formatTime } from './time-format.js';

const tlsFailure = {
  startTime: '2026-11-23T14:31:02.117Z',
  kind: 'http',
  direction: 'outbound',
  workloadRef: { name: 'productpage-v1', namespace: 'bookinfo', clusterName: 'remote-cluster' },
  source: { cluster: 'remote-cluster', namespace: 'bookinfo', workload: 'productpage-v1', ip: '10.29.0.20' },
  destination: { namespace: 'bookinfo', ip: '10.96.3.17', port: 9080, service: 'ratings.bookinfo' },
  httpAccessLog: {
    commonProperties: {
      startTime: '2026-11-23T14:31:02.117345678Z',
      duration: '0.002100s',
      upstreamCluster: 'outbound|9080||ratings.bookinfo.svc.cluster.local',
      upstreamTransportFailureReason: 'TLS error: Secret is not supplied by SDS',
      responseFlags: { upstreamConnectionFailure: true },
    },
    request: { requestMethod: 'GET', path: '/ratings/0', requestId: '0b6c6f1e-8d7a-4a8e-9a59-1f0e4ad1c001' },
    response: { responseCode: 503, responseCodeDetails: 'upstream_reset_before_response_started{connection_failure,TLS_error:_Secret_is_not_supplied_by_SDS}' },
  },
};

describe('the compact line', () => {
  it('reads as an edge and leaves out details that restate the flags and the reason', () => {
    expect(formatLine(tlsFailure)).toBe(
      '2026-11-23T14:31:02.117Z remote-cluster bookinfo/productpage-v1 → ratings:9080 GET /ratings/0 503 UF "TLS error: Secret is not supplied by SDS" 2.1ms',
    );
  });

  it('keeps the details, the direction, the shortened upstream and the request id in -o wide', () => {
    expect(formatLine(tlsFailure, { wide: true })).toBe(
      '2026-11-23T14:31:02.117Z remote-cluster bookinfo/productpage-v1 → ratings:9080 GET /ratings/0 503 UF "TLS error: Secret is not supplied by SDS" upstream_reset_before_response_started{connection_failure,TLS_error:_Secret_is_not_supplied_by_SDS} 2.1ms outbound via=ratings.bookinfo:9080 id=0b6c6f1e-8d7a-4a8e-9a59-1f0e4ad1c001',
    );
  });

  it('names the caller and the callee of an inbound entry, and a callee in another namespace or cluster', () => {
    const inbound = {
      ...tlsFailure,
      direction: 'inbound',
      source: { namespace: 'istio-system', workload: 'istio-ingressgateway', cluster: 'mgmt-cluster' },
      destination: { namespace: 'bookinfo', workload: 'ratings-v1', port: 9080, cluster: 'remote-cluster' },
    };
    expect(formatLine(inbound)).toMatch(/ istio-system\/istio-ingressgateway → remote-cluster\/bookinfo\/ratings-v1:9080 GET /);
    expect(formatLine({ ...tlsFailure, direction: undefined })).toMatch(/ remote-cluster bookinfo\/productpage-v1 \(direction unknown\) GET /);
  });

  it('keeps details that say something the flags do not', () => {
    expect(restates('via_upstream', [], undefined)).toBe(true);
    expect(restates('upstream_reset_before_response_started{connection_failure}', ['UF', 'URX'], undefined)).toBe(true);
    expect(restates('upstream_reset_before_response_started{connection_termination}', ['UF'], undefined)).toBe(false);
    expect(restates('route_not_found', ['NR'], undefined)).toBe(true);
    expect(restates('ext_authz_denied', [], undefined)).toBe(false);
  });

  it('shortens Istio cluster names', () => {
    expect(shortenCluster('outbound|9080||ratings.bookinfo.svc.cluster.local')).toBe('ratings.bookinfo:9080');
    expect(shortenCluster('outbound|9080|v2|reviews.bookinfo.svc.cluster.local')).toBe('reviews.bookinfo/v2:9080');
    expect(shortenCluster('inbound|9080||')).toBe('inbound:9080');
    expect(shortenCluster('localhost:8080')).toBe('localhost:8080');
  });
});

describe('colour', () => {
  it('follows the flag, then NO_COLOR and FORCE_COLOR, then the terminal', () => {
    expect(useColor('always', false, { NO_COLOR: '1' })).toBe(true);
    expect(useColor('never', true, { FORCE_COLOR: '1' })).toBe(false);
    expect(useColor('auto', true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor('auto', true, { NO_COLOR: '' })).toBe(true);
    expect(useColor('auto', false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor('auto', true, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor('auto', false, {})).toBe(false);
  });

  it('gives each workload one colour, never red, the same in every run', () => {
    expect(workloadColor('productpage-v1')).toBe(workloadColor('productpage-v1'));
    const names = ['productpage-v1', 'details-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1', 'mysqldb-v1'];
    expect(new Set(names.map(workloadColor)).size).toBeGreaterThan(3);
    for (const n of names) expect(workloadColor(n)).not.toBe(31);
    const line = formatLine(tlsFailure, { paint: colored });
    expect(line).toContain(`\u001b[${workloadColor('bookinfo/productpage-v1')}mbookinfo/productpage-v1\u001b[0m`);
    expect(line).toContain('\u001b[31m503\u001b[0m');
  });
});

describe('times', () => {
  it('print in hubble’s layouts, in UTC, with the precision Envoy gave', () => {
    const t = '2026-11-03T04:05:06.123456789Z';
    expect(formatTime(t, 'StampMilli')).toBe('Nov  3 04:05:06.123');
    expect(formatTime(t, 'RFC3339')).toBe('2026-11-03T04:05:06Z');
    expect(formatTime(t, 'RFC3339Micro')).toBe('2026-11-03T04:05:06.123456Z');
    expect(formatTime(t, 'RFC3339Nano')).toBe('2026-11-03T04:05:06.123456789Z');
    expect(formatTime('2026-11-03T04:05:06Z', 'RFC3339Milli')).toBe('2026-11-03T04:05:06.000Z');
    expect(formatTime(t, 'RFC1123Z')).toBe('Tue, 03 Nov 2026 04:05:06 +0000');
  });

  it('are read as durations, Unix seconds or RFC 3339, and a time without a zone is UTC', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    expect(parseTimePoint('15m', now)).toBe(now - 900_000);
    expect(parseTimePoint('1764547200', now)).toBe(1_764_547_200_000);
    expect(parseTimePoint('1764547200.5', now)).toBe(1_764_547_200_500);
    expect(parseTimePoint('2026-11-23T14:00', now)).toBe(Date.UTC(2026, 10, 23, 14));
    expect(parseTimePoint('2026-11-23', now)).toBe(Date.UTC(2026, 10, 23));
    expect(parseTimePoint('2026-11-23T14:00:00+02:00', now)).toBe(Date.UTC(2026, 10, 23, 12));
    expect(parseTimePoint('yesterday', now)).toBeUndefined();
  });
});

describe('other outputs', () => {
  it('print a table once every row is in, and YAML documents', () => {
    const table = createPrinter('table', { paint: plain, timeFormat: 'RFC3339' });
    expect(table.item(tlsFailure)).toBe('');
    expect(table.end().split('\n')).toEqual([
      'TIME                   CLUSTER          SOURCE → DESTINATION                     REQUEST          STATUS   FLAGS   DURATION   REQUEST ID',
      '2026-11-23T14:31:02Z   remote-cluster   bookinfo/productpage-v1 → ratings:9080   GET /ratings/0   503      UF      2.1ms      0b6c6f1e-8d7a-4a8e-9a59-1f0e4ad1c001',
      '',
    ]);
    const yaml = createPrinter('yaml', { paint: plain, timeFormat: 'RFC3339' });
    expect(yaml.item({ a: 1 }) + yaml.item({ a: 2 })).toBe('a: 1\n---\na: 2\n');
  });

  it('print fields through --template, and refuse what is not a field path', () => {
    const render = compileTemplate('{{.httpAccessLog.request.requestId}}\\t{{ .destination.service }} {{.nope.deeper}} {{.destination}}');
    expect(render(tlsFailure)).toBe(
      '0b6c6f1e-8d7a-4a8e-9a59-1f0e4ad1c001\tratings.bookinfo <no value> {"namespace":"bookinfo","ip":"10.96.3.17","port":9080,"service":"ratings.bookinfo"}',
    );
    expect(() => compileTemplate('{{range .items}}')).toThrow('--template: "{{range .items}}" is not a field path like {{.httpAccessLog.request.path}}');
  });
});
