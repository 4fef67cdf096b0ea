/**
 * proto3 JSON output, entries per second on one core, for a realistic HTTP entry (about 700 bytes
 * encoded, four request headers), already decoded as the query path and live watches have it:
 * - `toProto3Json`: ours, conformant proto3 JSON, then `JSON.stringify` (and, to show where the
 *   time goes, without the `JSON.stringify`);
 * - `protobufjsToObject`: protobufjs `toObject` + `JSON.stringify`, a yardstick only (its output
 *   is not proto3 JSON: Timestamps as `{seconds, nanos}`, wrappers as objects);
 * - `protobufEsToJsonString`: protobuf-es `toJsonString` on its own decoded message, on a registry
 *   built from the same protobufjs Root (`fileDescriptorSetOf`).
 * And from the encoded entry to UTF-8, as stored entries are answered and watched ones rendered:
 * - `wireJsonFromBytes`: `wire-json.ts`, straight from the wire bytes;
 * - `decodeToProto3JsonBytes`: protobufjs's decode, `toProto3Json`, `JSON.stringify` and the UTF-8
 *   encoding, the path it replaces (same text).
 *
 * @bufbuild/protobuf is a devDependency and the descriptor extension patches protobufjs
 * prototypes, so both are imported when a function here runs, never when this module loads.
 */
import type protobuf from 'protobufjs';
import { loadAlsTypes } from '../envoy/protos.js';
import { toProto3Json } from '../protojson/proto-json.js';
import { fileDescriptorSetOf } from '../protojson/testing/protobuf-es-registry.js';
import { jsonBytes, jsonMessage, jsonStart } from '../protojson/wire-json.js';
import { perSecond } from './per-second.js';

export async function benchProtoJson(opts: { seconds?: number } = {}): Promise<Record<string, number>> {
  const seconds = opts.seconds ?? 2;
  const { createFileRegistry, fromBinary, toJsonString } = await import('@bufbuild/protobuf');
  const { FileDescriptorSetSchema } = await import('@bufbuild/protobuf/wkt');
  const types = loadAlsTypes();
  const type = types.HTTPAccessLogEntry;
  const bytes = type.encode(type.fromObject(benchEntry(types.root))).finish();
  const decoded = type.decode(bytes);

  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, await fileDescriptorSetOf(types.root)));
  const schema = registry.getMessage('envoy.data.accesslog.v3.HTTPAccessLogEntry');
  if (schema === undefined) throw new Error('The protobuf-es registry has no HTTPAccessLogEntry.');
  const esDecoded = fromBinary(schema, bytes);
  const toObjectOptions: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String };

  // Each contender gets the same time slice; summing output lengths keeps the work observable.
  let sink = 0;
  const figures: Record<string, number> = {};
  figures['toProto3Json'] = perSecond(seconds, () => (sink += JSON.stringify(toProto3Json(type, decoded)).length));
  figures['toProto3JsonWithoutStringify'] = perSecond(seconds, () => (sink += toProto3Json(type, decoded) === null ? 0 : 1));
  figures['protobufjsToObject'] = perSecond(seconds, () => (sink += JSON.stringify(type.toObject(decoded, toObjectOptions)).length));
  figures['protobufEsToJsonString'] = perSecond(seconds, () => (sink += toJsonString(schema, esDecoded, { registry }).length));
  const out = Buffer.allocUnsafe(64 * 1024);
  figures['wireJsonFromBytes'] = perSecond(seconds, () => {
    jsonStart();
    if (!jsonMessage(type, bytes)) throw new Error('The wire writer left the bench entry to the decode.');
    sink += jsonBytes().length;
  });
  figures['decodeToProto3JsonBytes'] = perSecond(seconds, () => (sink += out.write(JSON.stringify(toProto3Json(type, type.decode(bytes))))));
  if (sink === 0) throw new Error('The contenders produced no output.');
  figures['entryEncodedBytes'] = bytes.length;
  figures['entryJsonBytes'] = JSON.stringify(toProto3Json(type, decoded)).length;
  return figures;
}

/** An Istio sidecar's inbound HTTP entry (about 700 bytes) with TLS, metadata, a filter-state object and four extra request headers. */
export function benchEntry(root: protobuf.Root): Record<string, unknown> {
  const address = (ip: string, port: number) => ({ socketAddress: { address: ip, portValue: port } });
  const duration = (nanos: number) => ({ nanos });
  const stringValue = root.lookupType('google.protobuf.StringValue');
  const anyType = root.lookupType('google.protobuf.Any');
  return {
    commonProperties: {
      sampleRate: 1,
      downstreamRemoteAddress: address('10.244.1.17', 47212),
      downstreamLocalAddress: address('10.244.2.9', 9080),
      tlsProperties: {
        tlsVersion: 4,
        tlsCipherSuite: { value: 0x1301 },
        peerCertificateProperties: { subjectAltName: [{ uri: 'spiffe://cluster.local/ns/bookinfo/sa/productpage' }] },
      },
      startTime: { seconds: 1_700_000_000, nanos: 301_634_000 },
      timeToLastRxByte: duration(32_300),
      timeToFirstUpstreamTxByte: duration(461_840),
      timeToLastUpstreamTxByte: duration(463_780),
      timeToFirstUpstreamRxByte: duration(2_877_830),
      timeToLastUpstreamRxByte: duration(2_959_490),
      timeToFirstDownstreamTxByte: duration(2_917_390),
      timeToLastDownstreamTxByte: duration(2_963_270),
      upstreamRemoteAddress: address('127.0.0.6', 9080),
      upstreamLocalAddress: address('127.0.0.6', 52538),
      upstreamCluster: 'inbound|9080||',
      metadata: { filterMetadata: { istio: { fields: { workload: { stringValue: 'reviews-v1' } } } } },
      routeName: 'default',
      downstreamDirectRemoteAddress: address('10.244.1.17', 47212),
      filterStateObjects: {
        'wasm.upstream_peer_id': {
          [anyType.fieldsById[1]!.name]: 'type.googleapis.com/google.protobuf.StringValue',
          value: stringValue.encode({ value: 'sidecar~10.244.2.9~reviews-v1.bookinfo' }).finish(),
        },
      },
      duration: duration(2_971_100),
      upstreamRequestAttemptCount: 1,
      streamId: '3c5bd7f0-2a4e-4f0c-9d1e-6a53f1b7a0c2',
      downstreamWireBytesSent: 1_012,
      downstreamWireBytesReceived: 1_363,
      upstreamWireBytesSent: 1_290,
      upstreamWireBytesReceived: 984,
      accessLogType: 6,
    },
    protocolVersion: 2,
    request: {
      requestMethod: 1,
      scheme: 'http',
      authority: 'reviews:9080',
      path: '/reviews/0',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0',
      requestId: '676b631f-b6dd-4a57-b99b-de66b03c2813',
      requestHeadersBytes: 1_207,
      requestHeaders: {
        'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7',
        'x-b3-spanid': 'e457b5a2e4d86bd1',
        'x-envoy-attempt-count': '1',
        foo: 'bar',
      },
    },
    response: {
      responseCode: { value: 200 },
      responseHeadersBytes: 174,
      responseBodyBytes: 295,
      responseCodeDetails: 'via_upstream',
    },
  };
}
