/**
 * The entries one user request produces in the simulated bookinfo mesh: each hop is an outbound
 * entry at the caller's sidecar and an inbound entry at the callee's, sharing the request id.
 * Pure: the same proxies, time and random source give the same entries.
 */
import { randomUUID } from 'node:crypto';
import type { DemoProxy } from './bookinfo-proxies.js';

export interface Hop {
  readonly kind: 'http' | 'tcp';
  readonly from: DemoProxy | undefined;
  readonly to: DemoProxy | undefined;
  /** Entries as `Type.fromObject` takes them. */
  readonly outbound: Record<string, unknown> | undefined;
  readonly inbound: Record<string, unknown> | undefined;
}

type Random = () => number;

const serviceIps: Record<string, string> = {
  productpage: '10.96.2.10',
  details: '10.96.2.55',
  reviews: '10.96.2.228',
  ratings: '10.96.3.17',
  mysqldb: '10.96.3.40',
};

const addr = (address: string, portValue: number) => ({ socketAddress: { address, portValue } });
const dur = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });
const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });

interface Call {
  from: DemoProxy | undefined;
  to: DemoProxy | undefined;
  service: string;
  path: string;
  code: number;
  startMs: number;
  foo: boolean;
  userAgent: string;
  failure?: { reason?: string; flags: Record<string, unknown>; details: string; attempts: number };
}

function httpHop(call: Call, requestId: string, random: Random): Hop {
  const took = 2 + random() * 40;
  const port = 30000 + Math.floor(random() * 30000);
  const callerIp = call.from?.ip ?? '192.168.2.19';
  // The callee's sidecar sees the request a little later and answers a little sooner than the
  // caller's: the difference is the network and mTLS between them (0.3 to 1.3 ms here).
  const network = 0.3 + (took % 1);
  const common = (local: ReturnType<typeof addr>, direction: 'outbound' | 'inbound') => {
    const took_ = direction === 'outbound' ? took : took - network;
    return {
      downstreamRemoteAddress: addr(callerIp, port),
      downstreamLocalAddress: local,
      startTime: ts(direction === 'outbound' ? call.startMs : call.startMs + network / 2),
      timeToLastRxByte: dur(0.03),
      timeToFirstUpstreamTxByte: dur(0.5),
      timeToLastUpstreamTxByte: dur(0.52),
      timeToFirstUpstreamRxByte: dur(took_ - 0.8),
      timeToLastUpstreamRxByte: dur(took_ - 0.1),
      timeToFirstDownstreamTxByte: dur(took_ - 0.6),
      timeToLastDownstreamTxByte: dur(took_),
      upstreamRemoteAddress: addr(direction === 'outbound' ? (call.to?.ip ?? serviceIps[call.service]!) : '127.0.0.6', 9080),
      upstreamLocalAddress: addr(direction === 'outbound' ? callerIp : '127.0.0.6', 40000 + Math.floor(random() * 20000)),
      upstreamCluster: direction === 'outbound' ? `outbound|9080||${call.service}.bookinfo.svc.cluster.local` : 'inbound|9080||',
      routeName: 'default',
      downstreamDirectRemoteAddress: addr(callerIp, port),
      duration: dur(took_),
      upstreamRequestAttemptCount: call.failure?.attempts ?? 1,
      ...(call.failure ? { responseFlags: call.failure.flags, ...(call.failure.reason ? { upstreamTransportFailureReason: call.failure.reason } : {}) } : {}),
    };
  };
  const request = {
    requestMethod: 'GET',
    scheme: 'http',
    authority: `${call.service}:9080`,
    path: call.path,
    userAgent: call.userAgent,
    requestId,
    requestHeadersBytes: 900 + Math.floor(random() * 400),
    ...(call.foo ? { requestHeaders: { foo: 'bar' } } : {}),
  };
  const response = {
    responseCode: { value: call.code },
    responseHeadersBytes: 170 + Math.floor(random() * 20),
    responseBodyBytes: call.failure ? 91 : 200 + Math.floor(random() * 4000),
    responseCodeDetails: call.failure?.details ?? 'via_upstream',
    ...(call.failure ? {} : { responseHeaders: { 'x-envoy-upstream-service-time': String(Math.round(took)) } }),
  };
  const outbound = call.from
    ? { commonProperties: common(addr(serviceIps[call.service]!, 9080), 'outbound'), protocolVersion: 'HTTP11', request, response }
    : undefined;
  // A connection that failed never reached the callee: no inbound entry.
  const inbound =
    call.to && !call.failure ? { commonProperties: common(addr(call.to.ip, 9080), 'inbound'), protocolVersion: 'HTTP11', request, response } : undefined;
  return { kind: 'http', from: call.from, to: call.failure ? undefined : call.to, outbound, inbound };
}

function tcpHop(from: DemoProxy, to: DemoProxy, startMs: number, random: Random): Hop {
  const entry = (local: string) => ({
    commonProperties: {
      downstreamRemoteAddress: addr(from.ip, 40000 + Math.floor(random() * 20000)),
      downstreamLocalAddress: addr(local, 3306),
      startTime: ts(startMs),
      upstreamRemoteAddress: addr(to.ip, 3306),
      upstreamCluster: `outbound|3306||mysqldb.bookinfo.svc.cluster.local`,
      duration: dur(5 + random() * 20),
    },
    connectionProperties: { receivedBytes: 300 + Math.floor(random() * 500), sentBytes: 1000 + Math.floor(random() * 4000) },
  });
  return { kind: 'tcp', from, to, outbound: entry(serviceIps['mysqldb']!), inbound: entry(to.ip) };
}

/** The hops of one user request entering `cluster` (through the gateway in mgmt-cluster). */
export function requestHops(proxies: Map<string, DemoProxy>, cluster: string, nowMs: number, random: Random): Hop[] {
  const at = (workload: string) => proxies.get(`${cluster}/${workload}`);
  const requestId = randomUUID();
  const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';
  const hops: Hop[] = [];
  const call = (c: Omit<Call, 'startMs' | 'userAgent'> & { userAgent?: string }, offsetMs: number) =>
    hops.push(httpHop({ userAgent: browser, ...c, startMs: nowMs + offsetMs }, requestId, random));

  const gateway = at('istio-ingressgateway');
  const productpage = at('productpage-v1');
  const version = ['v1', 'v2', 'v3'][Math.floor(random() * 3)]!;
  const reviews = at(`reviews-${version}`);
  const ratings = at('ratings-v1');
  const missing = random() < 0.03;
  const exhausted = version === 'v3' && random() < 0.08;
  // The guide's debugging story: productpage → ratings with a DestinationRule whose TLS secret is missing.
  const tls = cluster === 'remote-cluster' && random() < 0.1;
  // `foo: bar` belongs to the user's request and every hop passes it on (as bookinfo passes on its
  // tracing headers), so the guide's record keeps whole requests: `meshlog trace` shows all their
  // hops. The failing requests carry it, as the guide's do.
  const foo = exhausted || tls || random() < 0.25;
  call({ from: gateway, to: productpage, service: 'productpage', path: '/productpage', code: 200, foo }, 0);
  call({ from: productpage, to: at('details-v1'), service: 'details', path: missing ? '/details/999' : '/details/0', code: missing ? 404 : 200, foo }, 1);
  call({ from: productpage, to: reviews, service: 'reviews', path: '/reviews/0', code: 200, foo }, 3);
  if (version !== 'v1' && reviews && ratings) {
    call(
      exhausted
        ? {
            from: reviews,
            to: ratings,
            service: 'ratings',
            path: '/ratings/0',
            code: 503,
            foo,
            failure: {
              flags: { upstreamConnectionFailure: true, upstreamRetryLimitExceeded: true },
              details: 'upstream_reset_before_response_started{connection_failure}',
              attempts: 3,
            },
          }
        : { from: reviews, to: ratings, service: 'ratings', path: '/ratings/0', code: 200, foo },
      5,
    );
    const mysql = at('mysqldb-v1');
    if (!exhausted && mysql && random() < 0.5) hops.push(tcpHop(ratings, mysql, nowMs + 6, random));
  }
  if (tls) {
    call(
      {
        from: productpage,
        to: ratings,
        service: 'ratings',
        path: '/ratings/0',
        code: 503,
        foo,
        userAgent: 'curl/7.52.1',
        failure: {
          reason: 'TLS error: Secret is not supplied by SDS',
          flags: { upstreamConnectionFailure: true },
          details: 'upstream_reset_before_response_started{connection_failure,TLS_error:_Secret_is_not_supplied_by_SDS}',
          attempts: 1,
        },
      },
      2,
    );
  }
  // The guide's first curl: from the ratings pod to reviews, with foo: bar.
  if (random() < 0.1) call({ from: ratings, to: at('reviews-v1'), service: 'reviews', path: '/reviews/1', code: 200, foo: true, userAgent: 'curl/7.52.1' }, 7);
  return hops;
}
