/**
 * Sample ALS entries for the formatter's tests and benchmark, put through protobufjs encode and
 * decode so they look exactly as the collector hands them on (Longs, prototype defaults).
 */
import { loadAlsTypes } from '../../envoy/protos.js';
import type { DecodedEntry } from '../../model/entry.js';
import type { FormatContext } from '../types.js';

type Obj = Record<string, unknown>;

export const socket = (address: string, portValue: number) => ({ socketAddress: { address, portValue } });

/** 2016-04-15T20:17:00.310123456Z. */
export const sampleStart = { seconds: 1_460_751_420, nanos: 310_123_456 };

function packAny(typeName: string, object: Obj): Obj {
  const root = loadAlsTypes().root;
  const any = root.lookupType('google.protobuf.Any');
  const type = root.lookupType(typeName);
  return { [any.fieldsById[1]!.name]: `type.googleapis.com/${typeName}`, value: type.encode(type.fromObject(object)).finish() };
}

export function decodeHttp(object: Obj): DecodedEntry {
  const t = loadAlsTypes().HTTPAccessLogEntry;
  return t.decode(t.encode(t.fromObject(object)).finish()) as unknown as DecodedEntry;
}

export function decodeTcp(object: Obj): DecodedEntry {
  const t = loadAlsTypes().TCPAccessLogEntry;
  return t.decode(t.encode(t.fromObject(object)).finish()) as unknown as DecodedEntry;
}

/** An inbound HTTP entry of an Istio-style sidecar with every field the operators read. */
export function sampleHttpObject(): Obj {
  const any = loadAlsTypes().root.lookupType('google.protobuf.Any');
  return {
    commonProperties: {
      downstreamRemoteAddress: socket('10.244.1.17', 47212),
      downstreamLocalAddress: socket('10.244.2.9', 9080),
      downstreamDirectRemoteAddress: socket('10.244.1.18', 47213),
      upstreamRemoteAddress: socket('10.244.2.9', 8080),
      upstreamLocalAddress: socket('127.0.0.6', 52538),
      tlsProperties: {
        tlsVersion: 4,
        tlsCipherSuite: { value: 0x1301 },
        tlsSniHostname: 'outbound_.9080_._.reviews.bookinfo.svc.cluster.local',
        localCertificateProperties: { subjectAltName: [{ uri: 'spiffe://cluster.local/ns/bookinfo/sa/reviews' }], subject: 'O=cluster.local' },
        peerCertificateProperties: {
          subjectAltName: [{ uri: 'spiffe://a' }, { dns: 'x.example' }, { uri: 'spiffe://b' }],
          subject: 'CN=peer',
          issuer: 'O=cluster.local',
        },
        tlsSessionId: 'abcd',
        ja3Fingerprint: 'e7d705a3286e19ea42f587b344ee6865',
      },
      startTime: sampleStart,
      timeToLastRxByte: { nanos: 32_300_000 },
      timeToLastUpstreamTxByte: { nanos: 463_780_000 },
      timeToFirstUpstreamRxByte: { seconds: 2, nanos: 877_830_000 },
      timeToLastDownstreamTxByte: { seconds: 2, nanos: 963_270_000 },
      duration: { seconds: 2, nanos: 971_100_000 },
      upstreamCluster: 'inbound|9080||',
      responseFlags: { downstreamRemoteReset: true, upstreamRetryLimitExceeded: true, upstreamConnectionFailure: true },
      metadata: {
        filterMetadata: {
          'com.test.my_filter': {
            fields: {
              test_key: { stringValue: 'foo' },
              test_object: { structValue: { fields: { inner_key: { stringValue: 'bar' } } } },
              n: { numberValue: 3 },
              list: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'a' }] } },
            },
          },
        },
      },
      upstreamTransportFailureReason: 'TLS error: Secret is not supplied by SDS',
      routeName: 'default',
      filterStateObjects: {
        'wasm.upstream_peer_id': packAny('google.protobuf.StringValue', { value: 'sidecar~10.244.2.9~reviews-v1.bookinfo' }),
        num: packAny('google.protobuf.UInt32Value', { value: 7 }),
        st: packAny('google.protobuf.Struct', { fields: { a: { stringValue: 'b' } } }),
        unknown: { [any.fieldsById[1]!.name]: 'type.googleapis.com/istio.NotInThisBuild', value: new Uint8Array([1, 2]) },
      },
      customTags: { team: 'payments' },
      upstreamRequestAttemptCount: 2,
      connectionTerminationDetails: 'idle_timeout',
      streamId: 'stream-1',
      downstreamWireBytesSent: 1_012,
      downstreamWireBytesReceived: 1_363,
      upstreamWireBytesSent: 1_290,
      upstreamWireBytesReceived: 984,
      accessLogType: 6,
    },
    protocolVersion: 2,
    request: {
      requestMethod: 3,
      scheme: 'https',
      authority: 'reviews:9080',
      path: '/reviews/0?x=1',
      userAgent: 'curl/8.0',
      referer: 'http://a/',
      forwardedFor: '10.0.0.1',
      requestId: 'req-1',
      requestHeadersBytes: 1_207,
      requestBodyBytes: 154,
      requestHeaders: { 'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7', 'Content-Type': 'application/grpc', 'x-empty': '' },
      upstreamHeaderBytesSent: 1_100,
      downstreamHeaderBytesReceived: 1_207,
    },
    response: {
      responseCode: { value: 200 },
      responseHeadersBytes: 174,
      responseBodyBytes: 295,
      responseHeaders: { 'x-envoy-upstream-service-time': '100' },
      responseTrailers: { 'grpc-status': '3', 'grpc-message': 'bad' },
      responseCodeDetails: 'via_upstream',
      upstreamHeaderBytesReceived: 170,
      downstreamHeaderBytesSent: 180,
    },
  };
}

export const sampleHttpContext: FormatContext = {
  kind: 'http',
  proxy: { mesh: 'default', zone: 'zone-1', service: 'reviews', address: '10.244.2.9', workload: 'reviews-v1' },
  direction: 'inbound',
  peer: { service: 'productpage' },
  hostname: 'node-1',
  environment: { POD_NAME: 'reviews-v1-abc' },
};
