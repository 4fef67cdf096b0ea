/**
 * Operator by operator, against hand-checked strings: each row formats one plain format against
 * the sample entry (see `sample-entries.ts`), an empty HTTP entry and a TCP entry.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedEntry } from '../model/entry.js';
import { compileFormat } from './compile-format.js';
import { decodeHttp, decodeTcp, sampleHttpContext, sampleHttpObject, socket } from './testing/sample-entries.js';
import type { FormatContext } from './types.js';

const full = decodeHttp(sampleHttpObject());
const empty = decodeHttp({ commonProperties: {}, request: {}, response: {} });
const tcpContext: FormatContext = { ...sampleHttpContext, kind: 'tcp' };
const tcp = decodeTcp({
  commonProperties: { startTime: { seconds: 1 }, upstreamRemoteAddress: socket('10.0.0.9', 6379), duration: { nanos: 5_000_000 } },
  connectionProperties: { receivedBytes: 10, sentBytes: 20 },
});

function text(format: string, entry: DecodedEntry = full, context: FormatContext = sampleHttpContext): string {
  const compiled = compileFormat({ plain: format });
  if (!compiled.ok) throw new Error(compiled.violations.map((v) => v.message).join('; '));
  return compiled.format(entry, context) as string;
}

/** [format, on the full entry, on the empty HTTP entry, on the TCP entry]. */
type Row = [string, string, string, string];

function table(rows: Row[]): void {
  it.each(rows)('%s → %s | %s | %s', (format, onFull, onEmpty, onTcp) => {
    expect(text(format)).toBe(onFull);
    expect(text(format, empty)).toBe(onEmpty);
    expect(text(format, tcp, tcpContext)).toBe(onTcp);
  });
}

describe('time and durations (ms, truncated)', () => {
  table([
    ['%START_TIME%', '2016-04-15T20:17:00.310Z', '-', '1970-01-01T00:00:01.000Z'],
    ['%START_TIME(%s.%3f)%', '1460751420.310', '-', '1.000'],
    ['%DURATION%', '2971', '-', '5'],
    ['%REQUEST_DURATION%', '32', '-', '-'],
    ['%REQUEST_TX_DURATION%', '463', '-', '-'],
    ['%RESPONSE_DURATION%', '2877', '-', '-'],
    ['%RESPONSE_TX_DURATION%', '86', '-', '-'],
  ]);

  it('reads DURATION from time_to_last_downstream_tx_byte on Envoys without `duration`', () => {
    expect(text('%DURATION%', decodeHttp({ commonProperties: { timeToLastDownstreamTxByte: { seconds: 1, nanos: 5_900_000 } } }))).toBe('1005');
  });
});

describe('byte counts', () => {
  table([
    ['%BYTES_RECEIVED% %BYTES_SENT%', '154 295', '0 0', '10 20'],
    ['%REQUEST_HEADERS_BYTES% %RESPONSE_HEADERS_BYTES%', '1207 174', '0 0', '- -'],
    ['%UPSTREAM_HEADER_BYTES_SENT% %UPSTREAM_HEADER_BYTES_RECEIVED%', '1100 170', '0 0', '- -'],
    ['%DOWNSTREAM_HEADER_BYTES_RECEIVED% %DOWNSTREAM_HEADER_BYTES_SENT%', '1207 180', '0 0', '- -'],
    ['%DOWNSTREAM_WIRE_BYTES_SENT% %DOWNSTREAM_WIRE_BYTES_RECEIVED%', '1012 1363', '0 0', '0 0'],
    ['%UPSTREAM_WIRE_BYTES_SENT% %UPSTREAM_WIRE_BYTES_RECEIVED%', '1290 984', '0 0', '0 0'],
    ['%UPSTREAM_REQUEST_ATTEMPT_COUNT%', '2', '0', '0'],
    ['%RESPONSE_TRAILERS_BYTES%', '-', '-', '-'],
  ]);
});

describe('protocol, status and flags', () => {
  table([
    ['%PROTOCOL%', 'HTTP/1.1', '-', '-'],
    ['%UPSTREAM_PROTOCOL%', '-', '-', '-'],
    ['%RESPONSE_CODE%', '200', '0', '0'],
    ['%RESPONSE_CODE_DETAILS%', 'via_upstream', '-', '-'],
    ['%CONNECTION_TERMINATION_DETAILS%', 'idle_timeout', '-', '-'],
    ['%RESPONSE_FLAGS%', 'UF,URX,DR', '-', '-'],
    ['%RESPONSE_FLAGS_LONG%', 'UpstreamConnectionFailure,UpstreamRetryLimitExceeded,DownstreamRemoteReset', '-', '-'],
    ['%GRPC_STATUS%', 'InvalidArgument', '-', '-'],
    ['%GRPC_STATUS(CAMEL_STRING)% %GRPC_STATUS(SNAKE_STRING)% %GRPC_STATUS(NUMBER)%', 'InvalidArgument INVALID_ARGUMENT 3', '- - -', '- - -'],
    ['%GRPC_STATUS_NUMBER%', '3', '-', '-'],
  ]);

  it.each([
    // [trailers, headers, request content-type, http status, expected]
    [{ 'grpc-status': '0' }, {}, undefined, 200, 'OK'],
    [{}, { 'grpc-status': '14' }, undefined, 200, 'Unavailable'],
    [{}, {}, 'application/grpc+proto', 503, 'Unavailable'],
    [{}, {}, 'application/grpc', 404, 'Unimplemented'],
    [{}, {}, 'application/grpc', 200, 'Unknown'],
    [{}, {}, 'application/json', 503, '-'],
    [{ 'grpc-status': '99' }, {}, undefined, 200, '99'],
  ])('GRPC_STATUS from trailers %j, headers %j, content-type %s, status %i: %s', (trailers, headers, contentType, code, expected) => {
    const entry = decodeHttp({
      request: contentType ? { requestHeaders: { 'content-type': contentType } } : {},
      response: { responseCode: { value: code }, responseTrailers: trailers, responseHeaders: headers },
    });
    expect(text('%GRPC_STATUS%', entry)).toBe(expected);
  });
});

describe('routing and addresses', () => {
  table([
    ['%ROUTE_NAME%', 'default', '-', '-'],
    ['%UPSTREAM_HOST%', '10.244.2.9:8080', '-', '10.0.0.9:6379'],
    ['%UPSTREAM_CLUSTER% %UPSTREAM_CLUSTER_RAW%', 'inbound|9080|| inbound|9080||', '- -', '- -'],
    ['%UPSTREAM_LOCAL_ADDRESS% %UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% %UPSTREAM_LOCAL_PORT%', '127.0.0.6:52538 127.0.0.6 52538', '- - -', '- - -'],
    [
      '%UPSTREAM_REMOTE_ADDRESS% %UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %UPSTREAM_REMOTE_PORT%',
      '10.244.2.9:8080 10.244.2.9 8080',
      '- - -',
      '10.0.0.9:6379 10.0.0.9 6379',
    ],
    ['%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_REMOTE_PORT%', '10.244.1.17:47212 10.244.1.17 47212', '- - -', '- - -'],
    ['%DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_PORT%', '10.244.2.9:9080 10.244.2.9 9080', '- - -', '- - -'],
    [
      '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS% %DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_DIRECT_REMOTE_PORT%',
      '10.244.1.18:47213 10.244.1.18 47213',
      '- - -',
      '- - -',
    ],
    ['%UPSTREAM_TRANSPORT_FAILURE_REASON%', 'TLS error: Secret is not supplied by SDS', '-', '-'],
    ['%DOWNSTREAM_TRANSPORT_FAILURE_REASON%', '-', '-', '-'],
    ['%REQUESTED_SERVER_NAME%', 'outbound_.9080_._.reviews.bookinfo.svc.cluster.local', '-', '-'],
    ['%VIRTUAL_CLUSTER_NAME% %CONNECTION_ID% %FILTER_CHAIN_NAME%', '- - -', '- - -', '- - -'],
  ]);
});

describe('headers', () => {
  table([
    ['%REQ(:METHOD)% %REQ(:SCHEME)% %REQ(:AUTHORITY)% %REQ(HOST)%', 'POST https reviews:9080 reviews:9080', '- - - -', '- - - -'],
    ['%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', '/reviews/0?x=1', '-', '-'],
    ['%REQ_WITHOUT_QUERY(:PATH)%', '/reviews/0', '-', '-'],
    ['%REQ(USER-AGENT)% %REQ(REFERER)% %REQ(X-FORWARDED-FOR)% %REQ(X-REQUEST-ID)%', 'curl/8.0 http://a/ 10.0.0.1 req-1', '- - - -', '- - - -'],
    ['%REQ(x-b3-traceid)%', '80f198ee56343ba864fe8b2a57d3eff7', '-', '-'],
    ['%REQ(CONTENT-TYPE)%', 'application/grpc', '-', '-'],
    ['[%REQ(X-EMPTY)%]', '[]', '[-]', '[-]'],
    ['%REQ(X-NOPE?USER-AGENT)% %REQ(X-NOPE)%', 'curl/8.0 -', '- -', '- -'],
    // `:Z` truncation, also of the alternative.
    ['%REQ(:PATH):4% %REQ(X-NOPE?USER-AGENT):4% %REQ(X-NOPE):1%', '/rev curl -', '- - -', '- - -'],
    ['%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% %RESP(:STATUS)%', '100 200', '- -', '- -'],
    ['%TRAILER(GRPC-MESSAGE)% %TRAILER(GRPC-STATUS):0%', 'bad ', '- -', '- -'],
    ['%TRACE_ID%', '80f198ee56343ba864fe8b2a57d3eff7', '-', '-'],
  ]);

  it('prefers X-ENVOY-ORIGINAL-PATH when set, and reads TRACE_ID from traceparent', () => {
    const entry = decodeHttp({
      request: { path: '/new', originalPath: '/old', requestHeaders: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
    });
    expect(text('%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %TRACE_ID%', entry)).toBe('/old 4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('metadata, filter state and tags', () => {
  table([
    ['%DYNAMIC_METADATA(com.test.my_filter:test_key)%', 'foo', '-', '-'],
    ['%DYNAMIC_METADATA(com.test.my_filter:test_object)%', '{"inner_key":"bar"}', '-', '-'],
    ['%DYNAMIC_METADATA(com.test.my_filter:test_object:inner_key)%', 'bar', '-', '-'],
    ['%DYNAMIC_METADATA(com.test.my_filter:n)% %DYNAMIC_METADATA(com.test.my_filter:list)%', '3 [1,"a"]', '- -', '- -'],
    ['%DYNAMIC_METADATA(com.test.my_filter:nope)% %DYNAMIC_METADATA(other)% %DYNAMIC_METADATA(com.test.my_filter:test_key:deeper)%', '- - -', '- - -', '- - -'],
    ['%DYNAMIC_METADATA(com.test.my_filter:test_object):10%', '{"inner_ke', '-', '-'],
    ['%METADATA(DYNAMIC:com.test.my_filter:test_key)% %METADATA(CLUSTER:istio)%', 'foo -', '- -', '- -'],
    ['%FILTER_STATE(wasm.upstream_peer_id)%', '"sidecar~10.244.2.9~reviews-v1.bookinfo"', '-', '-'],
    ['%FILTER_STATE(wasm.upstream_peer_id:PLAIN)%', 'sidecar~10.244.2.9~reviews-v1.bookinfo', '-', '-'],
    ['%FILTER_STATE(wasm.upstream_peer_id:TYPED)%', '"sidecar~10.244.2.9~reviews-v1.bookinfo"', '-', '-'],
    ['%FILTER_STATE(wasm.upstream_peer_id:PLAIN):7%', 'sidecar', '-', '-'],
    ['%FILTER_STATE(num)% %FILTER_STATE(st)% %FILTER_STATE(st:PLAIN)%', '7 {"a":"b"} {"a":"b"}', '- - -', '- - -'],
    ['%FILTER_STATE(unknown)% %FILTER_STATE(absent)%', '- -', '- -', '- -'],
    // Only upstream logs (access_log_type Upstream*) carry the upstream filter state.
    ['%UPSTREAM_FILTER_STATE(wasm.upstream_peer_id)%', '-', '-', '-'],
    ['%CUSTOM_TAG(team)% %CUSTOM_TAG(nope)%', 'payments -', '- -', '- -'],
    ['%CLUSTER_METADATA(istio)% %UPSTREAM_METADATA(istio:x)%', '- -', '- -', '- -'],
  ]);

  it('reads the whole namespace as JSON, and UPSTREAM_FILTER_STATE on upstream logs', () => {
    expect(text('%DYNAMIC_METADATA(com.test.my_filter)%')).toBe('{"test_key":"foo","test_object":{"inner_key":"bar"},"n":3,"list":[1,"a"]}');
    const object = sampleHttpObject();
    (object['commonProperties'] as Record<string, unknown>)['accessLogType'] = 9; // UpstreamEnd
    expect(text('%UPSTREAM_FILTER_STATE(wasm.upstream_peer_id:PLAIN)%', decodeHttp(object))).toBe('sidecar~10.244.2.9~reviews-v1.bookinfo');
  });
});

describe('TLS', () => {
  table([
    ['%DOWNSTREAM_LOCAL_URI_SAN%', 'spiffe://cluster.local/ns/bookinfo/sa/reviews', '-', '-'],
    ['%DOWNSTREAM_PEER_URI_SAN% %DOWNSTREAM_PEER_DNS_SAN% %DOWNSTREAM_LOCAL_DNS_SAN%', 'spiffe://a,spiffe://b x.example -', '- - -', '- - -'],
    ['%DOWNSTREAM_LOCAL_SUBJECT% %DOWNSTREAM_PEER_SUBJECT% %DOWNSTREAM_PEER_ISSUER%', 'O=cluster.local CN=peer O=cluster.local', '- - -', '- - -'],
    ['%DOWNSTREAM_TLS_VERSION% %DOWNSTREAM_TLS_CIPHER% %DOWNSTREAM_TLS_SESSION_ID%', 'TLSv1.3 TLS_AES_128_GCM_SHA256 abcd', '- - -', '- - -'],
    ['%TLS_JA3_FINGERPRINT%', 'e7d705a3286e19ea42f587b344ee6865', '-', '-'],
    ['%DOWNSTREAM_PEER_FINGERPRINT_256% %DOWNSTREAM_PEER_CERT% %DOWNSTREAM_PEER_CERT_V_START(%s)% %UPSTREAM_TLS_VERSION%', '- - - -', '- - - -', '- - - -'],
  ]);

  it('names TLS 1.2 ciphers as BoringSSL does and unknown ones in hex', () => {
    const tls = (id: number) => decodeHttp({ commonProperties: { tlsProperties: { tlsVersion: 3, tlsCipherSuite: { value: id } } } });
    expect(text('%DOWNSTREAM_TLS_VERSION% %DOWNSTREAM_TLS_CIPHER%', tls(0xc02f))).toBe('TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256');
    expect(text('%DOWNSTREAM_TLS_CIPHER%', tls(0x1234))).toBe('0x1234');
  });
});

describe('context and misc', () => {
  table([
    [
      '%HOSTNAME% %ENVIRONMENT(POD_NAME)% %ENVIRONMENT(POD_NAME):6% %ENVIRONMENT(NOPE)%',
      'node-1 reviews-v1-abc review -',
      'node-1 reviews-v1-abc review -',
      'node-1 reviews-v1-abc review -',
    ],
    ['%STREAM_ID% %ACCESS_LOG_TYPE%', 'stream-1 DownstreamEnd', '- NotSet', '- NotSet'],
    ['%LOCAL_REPLY_BODY% %CEL(request.path)%', '- -', '- -', '- -'],
  ]);

  it('makes a fresh UNIQUE_ID for every line', () => {
    const a = text('%UNIQUE_ID%');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(text('%UNIQUE_ID%')).not.toBe(a);
  });
});

describe('Kuma placeholders', () => {
  const placeholders =
    '%KUMA_MESH%|%KUMA_ZONE%|%KUMA_SOURCE_SERVICE%|%KUMA_DESTINATION_SERVICE%|%KUMA_SOURCE_ADDRESS%|%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%|%KUMA_TRAFFIC_DIRECTION%|%KUMA_WORKLOAD%';
  const proxy = sampleHttpContext.proxy;

  it.each<[string, FormatContext, string]>([
    [
      'inbound with a known peer',
      { kind: 'http', proxy, direction: 'inbound', peer: { service: 'productpage', address: '10.244.1.17:47212' } },
      'default|zone-1|productpage|reviews|10.244.1.17:47212|10.244.1.17|INBOUND|reviews-v1',
    ],
    [
      'inbound, peer service unknown: the address comes from the entry',
      { kind: 'http', proxy, direction: 'inbound' },
      'default|zone-1|unknown|reviews|10.244.1.17:47212|10.244.1.17|INBOUND|reviews-v1',
    ],
    [
      'inbound, peer address without a port',
      { kind: 'http', proxy, direction: 'inbound', peer: { address: '10.1.1.1' } },
      'default|zone-1|unknown|reviews|10.1.1.1|10.1.1.1|INBOUND|reviews-v1',
    ],
    [
      'outbound: the source is this proxy, printed as Kuma does',
      { kind: 'http', proxy, direction: 'outbound', peer: { service: 'ratings' } },
      'default|zone-1|reviews|ratings|10.244.2.9:0|10.244.2.9|OUTBOUND|reviews-v1',
    ],
    ['zone proxy', { kind: 'tcp', proxy: { mesh: 'm', address: 'fd00::2' }, direction: 'unspecified' }, 'm||unknown|unknown|[fd00::2]:0|fd00::2|UNSPECIFIED|'],
  ])('%s', (_name, context, expected) => {
    expect(text(placeholders, full, context)).toBe(expected);
  });
});
