import { describe, expect, it } from 'vitest';
import { goldenSignals, groupFailures, hopChain, percentile } from './analysis.js';
import { type EntryRow, type ItemEnd, type LogItem, rowOf } from './entry-row.js';
import { flagsInWords } from './flags.js';

const t0 = Date.parse('2026-11-23T14:31:00.000Z');
let seq = 0;

/** An `/api/v1/logs` item as the server sends it, reduced to what the viewer reads. */
function entry(o: {
  at: number;
  direction: 'inbound' | 'outbound';
  from: ItemEnd;
  to: ItemEnd;
  status?: number;
  flags?: Record<string, true>;
  reason?: string;
  ms?: number;
  requestId?: string;
  path?: string;
}): EntryRow {
  const reporter = o.direction === 'outbound' ? o.from : o.to;
  const item: LogItem = {
    startTime: new Date(o.at).toISOString(),
    kind: 'http',
    workloadRef: { name: reporter.workload, namespace: 'bookinfo', clusterName: 'remote-cluster' },
    instance: `${reporter.workload}-pod`,
    direction: o.direction,
    source: o.from,
    destination: o.to,
    httpAccessLog: {
      commonProperties: {
        duration: `${((o.ms ?? 10) / 1000).toFixed(6)}s`,
        ...(o.flags ? { responseFlags: o.flags } : {}),
        ...(o.reason ? { upstreamTransportFailureReason: o.reason } : {}),
      },
      request: { requestMethod: 'GET', path: o.path ?? '/x', requestId: o.requestId ?? `r${seq}` },
      response: { responseCode: o.status ?? 200 },
    },
  };
  return rowOf(item, JSON.stringify(item), seq++);
}

const end = (workload: string | undefined, extra: Partial<ItemEnd> = {}): ItemEnd => ({
  cluster: 'remote-cluster',
  namespace: 'bookinfo',
  ...(workload ? { workload } : {}),
  ...extra,
});
const productpage = end('productpage-v1');
const ratings = end('ratings-v1', { service: 'ratings.bookinfo', port: 9080 });
const reviews = end('reviews-v2');
const tls = 'TLS error: Secret is not supplied by SDS';

describe('failures grouped by edge and cause', () => {
  it("puts the guide's TLS failure from productpage to ratings in one group, counted per call", () => {
    const tlsFailure = (at: number, requestId: string) =>
      entry({ at, direction: 'outbound', from: productpage, to: ratings, status: 503, flags: { upstreamConnectionFailure: true }, reason: tls, requestId });
    const rows = [
      tlsFailure(t0, 'a'),
      tlsFailure(t0 + 1000, 'b'),
      // The same call seen at both ends counts once; a different cause is another group.
      entry({ at: t0 + 2000, direction: 'outbound', from: reviews, to: ratings, status: 500, requestId: 'c' }),
      entry({ at: t0 + 2000, direction: 'inbound', from: reviews, to: ratings, status: 500, requestId: 'c' }),
      entry({ at: t0 + 3000, direction: 'outbound', from: productpage, to: ratings, status: 200, requestId: 'd' }),
    ];
    const groups = groupFailures(rows);
    expect(groups.map((g) => [g.edge.key, g.status, g.flags, g.reason, g.count, [...g.seenBy].sort()])).toEqual([
      ['remote-cluster/bookinfo/productpage-v1 -> remote-cluster/bookinfo/ratings-v1', 503, ['UF'], tls, 2, ['outbound']],
      ['remote-cluster/bookinfo/reviews-v2 -> remote-cluster/bookinfo/ratings-v1', 500, [], '', 1, ['inbound', 'outbound']],
    ]);
    expect(groups[0]!.lastMs).toBe(t0 + 1000);
    expect(flagsInWords(groups[0]!.flags)).toBe('UF (upstream connection failure)');
    expect(flagsInWords(['UF', 'URX', 'UAEX'])).toBe(
      'UF (upstream connection failure), URX (upstream retry limit exceeded), UAEX (unauthorized external service)',
    );
  });
});

describe('golden signals', () => {
  const range = { sinceMs: t0, untilMs: t0 + 60_000, bucketCount: 6 };

  it('counts each call once, from the caller when it reports, with error rate and percentiles per callee', () => {
    const rows: EntryRow[] = [];
    for (let i = 0; i < 10; i++) {
      const failed = i < 2;
      const call = { at: t0 + i * 5000, from: productpage, to: ratings, status: failed ? 503 : 200, ms: (i + 1) * 10, requestId: `q${i}` };
      rows.push(entry({ ...call, direction: 'outbound', ...(failed ? { flags: { upstreamConnectionFailure: true } } : {}) }));
      if (!failed) rows.push(entry({ ...call, direction: 'inbound' }));
    }
    // A caller without a sidecar is seen only by the callee.
    rows.push(entry({ at: t0 + 1000, direction: 'inbound', from: { ip: '192.168.2.19', port: 50123 }, to: productpage, ms: 5 }));
    const { groups, edges, buckets } = goldenSignals(rows, range, 'workload');
    expect(buckets).toHaveLength(6);
    const r = groups.find((g) => g.label === 'ratings-v1 (remote-cluster)')!;
    expect([r.requests, r.errors, r.errorRate, r.p50, r.p95, r.p99]).toEqual([10, 2, 0.2, 50, 100, 100]);
    expect(r.perSecond).toBeCloseTo(10 / 60);
    // Two calls in each 10-second bucket up to 50 s; the first bucket holds both failures, the last has no calls.
    expect(r.series.perSecond).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, 0]);
    expect(r.series.errorRate).toEqual([1, 0, 0, 0, 0, null]);
    expect(r.series.p99).toEqual([20, 40, 60, 80, 100, null]);
    expect(groups.find((g) => g.label === 'productpage-v1 (remote-cluster)')!.requests).toBe(1);
    expect(edges.map((e) => [e.label, e.requests])).toEqual([
      ['productpage-v1 → ratings-v1', 10],
      ['192.168.2.19 → productpage-v1', 1],
    ]);
    expect(goldenSignals(rows, range, 'edge').groups.map((g) => g.label)).toEqual(['productpage-v1 → ratings-v1', '192.168.2.19 → productpage-v1']);
  });

  it('leaves out entries outside the range', () => {
    const rows = [
      entry({ at: t0 - 1, direction: 'outbound', from: productpage, to: ratings }),
      entry({ at: t0 + 60_000, direction: 'outbound', from: productpage, to: ratings }),
    ];
    expect(goldenSignals(rows, range, 'workload').groups).toEqual([]);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
  });
});

describe("one request's hops", () => {
  it("pairs each caller's outbound entry with the callee's inbound entry, nested under the hop that called", () => {
    const gateway = { cluster: 'mgmt-cluster', namespace: 'istio-system', workload: 'istio-ingressgateway' };
    const rows = [
      entry({ at: t0 + 5, direction: 'inbound', from: reviews, to: ratings, requestId: 'x', ms: 18 }),
      entry({ at: t0, direction: 'outbound', from: gateway, to: productpage, requestId: 'x', ms: 40 }),
      entry({ at: t0, direction: 'inbound', from: gateway, to: productpage, requestId: 'x', ms: 38 }),
      entry({ at: t0 + 3, direction: 'outbound', from: productpage, to: reviews, requestId: 'x', ms: 30 }),
      entry({ at: t0 + 3, direction: 'inbound', from: productpage, to: reviews, requestId: 'x', ms: 29 }),
      entry({ at: t0 + 5, direction: 'outbound', from: reviews, to: ratings, requestId: 'x', ms: 20 }),
      entry({
        at: t0 + 2,
        direction: 'outbound',
        from: productpage,
        to: ratings,
        status: 503,
        flags: { upstreamConnectionFailure: true },
        reason: tls,
        requestId: 'x',
      }),
    ];
    const hops = hopChain(rows);
    expect(hops.map((h) => [h.edge.key.replace(/[a-z-]+\/[a-z-]+\//g, ''), h.depth, h.outbound?.durationMs ?? null, h.inbound?.durationMs ?? null])).toEqual([
      ['istio-ingressgateway -> productpage-v1', 0, 40, 38],
      ['productpage-v1 -> ratings-v1', 1, 10, null],
      ['productpage-v1 -> reviews-v2', 1, 30, 29],
      ['reviews-v2 -> ratings-v1', 2, 20, 18],
    ]);
    expect(hops[1]!.outbound!.reason).toBe(tls);
  });

  it('does not pair a call to a service with the callee entry of another request line from the same caller', () => {
    const reviewsService = end(undefined, { service: 'reviews.bookinfo', port: 9080 });
    const reviews3 = end('reviews-v3');
    const rows = [
      entry({
        at: t0,
        direction: 'outbound',
        from: productpage,
        to: reviewsService,
        status: 503,
        flags: { upstreamConnectionFailure: true },
        reason: tls,
        requestId: 'y',
        path: '/reviews/0',
      }),
      entry({ at: t0 + 4, direction: 'inbound', from: productpage, to: reviews3, requestId: 'y', path: '/health' }),
      entry({ at: t0 + 6, direction: 'inbound', from: productpage, to: reviews3, requestId: 'y', path: '/reviews/0', ms: 7 }),
    ];
    const hops = hopChain(rows);
    expect(hops.map((h) => [h.outbound?.path ?? null, h.inbound?.path ?? null])).toEqual([
      ['/reviews/0', '/reviews/0'],
      [null, '/health'],
    ]);
  });
});
