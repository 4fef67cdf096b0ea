/**
 * Our proto3 JSON against an oracle: protobuf-es's `toJson`, on a registry built from the very
 * same .proto files (protobufjs Root → FileDescriptorSet → protobuf-es registry).
 */
import { createFileRegistry, fromBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import protobuf from 'protobufjs';
import 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import { loadAlsTypes } from './protos.js';
import { toProto3Json } from './proto-json.js';

const types = loadAlsTypes();

interface FieldDesc { name: string; number: number; type?: number; typeName?: string; extendee?: string; jsonName?: string }
interface MessageDesc { name: string; field: FieldDesc[]; nestedType: MessageDesc[]; extension?: FieldDesc[] }
interface FileDesc { name?: string; package?: string; dependency?: string[]; messageType: MessageDesc[]; enumType?: Array<{ name: string }>; service?: unknown[]; extension?: FieldDesc[] }

/**
 * protobufjs's `toDescriptor` leaves type names relative (`Identifier`); protobuf-es wants them
 * fully qualified. Qualify them from the resolved Root; services and extensions are dropped (the
 * oracle only converts messages).
 */
function qualify(root: protobuf.Root, files: FileDesc[]): void {
  const visit = (message: MessageDesc, fullName: string) => {
    const type = root.lookupType(fullName);
    // Extensions show up as fields of the extended type (FieldOptions gets `.validate.rules`): drop them.
    message.field = message.field.filter((fd) => !(type.fieldsById[fd.number] as (protobuf.Field & { declaringField?: unknown }) | undefined)?.declaringField);
    for (const fd of message.field) {
      // protobufjs writes an empty json_name; give the name protoc derives (lowerCamelCase).
      fd.jsonName = fd.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      const field = type.fieldsById[fd.number];
      if (!field || !fd.typeName) continue;
      field.resolve();
      if (field instanceof protobuf.MapField) {
        const entry = message.nestedType.find((n) => fd.typeName === n.name || fd.typeName!.endsWith(`.${n.name}`));
        const value = entry?.field.find((f) => f.number === 2);
        if (value && field.resolvedType) {
          value.typeName = field.resolvedType.fullName;
          value.type = field.resolvedType instanceof protobuf.Type ? 11 : 14; // TYPE_MESSAGE : TYPE_ENUM
        }
        if (entry) fd.typeName = `${type.fullName}.${entry.name}`;
      } else if (field.resolvedType) {
        fd.typeName = field.resolvedType.fullName;
      }
    }
    message.extension = [];
    for (const nested of message.nestedType) if (root.lookup(`${fullName}.${nested.name}`)) visit(nested, `${fullName}.${nested.name}`);
  };
  for (const file of files) {
    file.service = [];
    file.extension = [];
    for (const message of file.messageType) visit(message, file.package ? `${file.package}.${message.name}` : message.name);
  }
}

/** Gives every file a name and its dependencies, and orders the files so that each follows its dependencies. */
function linkFiles(files: FileDesc[]): FileDesc[] {
  const owner = new Map<string, FileDesc>();
  files.forEach((file, i) => {
    file.name ??= `file${i}.proto`;
    const prefix = file.package ? `.${file.package}.` : '.';
    const own = (m: MessageDesc, at: string) => {
      owner.set(`${at}${m.name}`, file);
      for (const n of m.nestedType) own(n, `${at}${m.name}.`);
    };
    for (const m of file.messageType) own(m, prefix);
    for (const e of file.enumType ?? []) owner.set(`${prefix}${e.name}`, file);
  });
  const deps = new Map<FileDesc, Set<FileDesc>>();
  for (const file of files) {
    const set = new Set<FileDesc>();
    const walk = (m: MessageDesc) => {
      for (const f of m.field) {
        if (!f.typeName) continue;
        // Nested types belong to the file of their outermost message.
        let name = f.typeName;
        while (name && !owner.has(name)) name = name.slice(0, name.lastIndexOf('.'));
        const dep = owner.get(name);
        if (dep && dep !== file) set.add(dep);
      }
      m.nestedType.forEach(walk);
    };
    file.messageType.forEach(walk);
    deps.set(file, set);
    file.dependency = [...set].map((d) => d.name!);
  }
  const ordered: FileDesc[] = [];
  const placed = new Set<FileDesc>();
  const place = (file: FileDesc) => {
    if (placed.has(file)) return;
    placed.add(file);
    for (const dep of deps.get(file)!) place(dep);
    ordered.push(file);
  };
  files.forEach(place);
  return ordered;
}

function oracleRegistry() {
  const root = types.root as protobuf.Root & { toDescriptor(syntax: string): protobuf.Message & { file: FileDesc[] } };
  const set = root.toDescriptor('proto3');
  qualify(types.root, set.file);
  set.file = linkFiles(set.file);
  const bytes = (set.constructor as unknown as protobuf.Type).encode(set).finish();
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
}

const registry = oracleRegistry();

function compare(typeName: string, object: Record<string, unknown>) {
  const type = types.root.lookupType(typeName);
  const bytes = type.encode(type.fromObject(object)).finish();
  const ours = toProto3Json(type, type.decode(bytes));
  const desc = registry.getMessage(typeName);
  if (!desc) throw new Error(`oracle has no ${typeName}`);
  const theirs = toJson(desc, fromBinary(desc, bytes), { registry });
  expect(ours).toEqual(theirs);
  return ours;
}

const address = (ip: string, port: number) => ({ socketAddress: { address: ip, portValue: port } });

/** Every field kind of an HTTP entry, set to non-default values. */
const everything = {
  commonProperties: {
    sampleRate: 0.25,
    downstreamRemoteAddress: address('192.168.2.19', 58196),
    downstreamLocalAddress: address('10.96.2.228', 9080),
    tlsProperties: {
      tlsVersion: 'TLSv1_3',
      tlsCipherSuite: { value: 4865 },
      tlsSniHostname: 'reviews.bookinfo.svc.cluster.local',
      localCertificateProperties: { subjectAltName: [{ uri: 'spiffe://cluster.local/ns/bookinfo/sa/reviews' }], subject: 'CN=reviews' },
      peerCertificateProperties: { subjectAltName: [{ dns: 'ratings.bookinfo' }], subject: 'CN=ratings', issuer: 'CN=istio-ca' },
      tlsSessionId: 'abcd',
      ja3Fingerprint: '771,4865',
    },
    startTime: { seconds: 1612288050, nanos: 301634000 },
    timeToLastRxByte: { nanos: 32300 },
    timeToFirstUpstreamTxByte: { nanos: 4618400 },
    timeToLastUpstreamTxByte: { seconds: 2, nanos: 1 },
    timeToFirstUpstreamRxByte: { nanos: 28778300 },
    upstreamRemoteAddress: address('::1', 9080),
    upstreamCluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local',
    responseFlags: { upstreamConnectionFailure: true, upstreamRetryLimitExceeded: true, unauthorizedDetails: { reason: 'EXTERNAL_SERVICE' } },
    metadata: { filterMetadata: { 'envoy.lb': { fields: { canary: { boolValue: true }, weight: { numberValue: 1.5 }, tags: { listValue: { values: [{ stringValue: 'a' }, { nullValue: 0 }] } }, nested: { structValue: { fields: { k: { stringValue: 'v' } } } } } } } },
    upstreamTransportFailureReason: 'TLS error: Secret is not supplied by SDS',
    routeName: 'default',
    filterStateObjects: {
      'wasm.upstream_peer': { type_url: 'type.googleapis.com/google.protobuf.StringValue', value: protobuf.util.newBuffer(0) },
      'envoy.address': { type_url: 'type.googleapis.com/envoy.config.core.v3.Address', value: types.root.lookupType('envoy.config.core.v3.Address').encode({ socketAddress: { address: '1.2.3.4', portValue: 80 } }).finish() },
    },
    customTags: { team: 'bookinfo' },
    duration: { nanos: 29632700 },
    upstreamRequestAttemptCount: 3,
    connectionTerminationDetails: 'rbac_access_denied',
    streamId: 'f1e2',
    downstreamWireBytesSent: '9007199254740993',
    upstreamWireBytesReceived: 12,
    accessLogType: 'DownstreamEnd',
  },
  protocolVersion: 'HTTP2',
  request: {
    requestMethod: 'PATCH',
    scheme: 'https',
    authority: 'reviews:9080',
    port: { value: 9080 },
    path: '/reviews/1',
    userAgent: 'curl/7.52.1',
    requestId: '676b631f-b6dd-4a57-b99b-de66b03c2813',
    requestHeadersBytes: 1207,
    requestHeaders: { foo: 'bar', 'x-b3-traceid': '1' },
  },
  response: { responseCode: { value: 0 }, responseHeadersBytes: 174, responseBodyBytes: 295, responseTrailers: { 'grpc-status': '0' }, responseCodeDetails: 'via_upstream' },
};

describe('toProto3Json agrees with protobuf-es toJson', () => {
  it('on an HTTP entry with every kind of field', () => {
    // The StringValue Any needs real bytes.
    const sv = types.root.lookupType('google.protobuf.StringValue');
    everything.commonProperties.filterStateObjects['wasm.upstream_peer'].value = sv.encode({ value: 'ratings' }).finish() as Buffer;
    const json = compare('envoy.data.accesslog.v3.HTTPAccessLogEntry', everything) as any;
    expect(json.commonProperties.downstreamWireBytesSent).toBe('9007199254740993');
    expect(json.response.responseCode).toBe(0);
  });

  it('on a TCP entry and on an empty entry', () => {
    compare('envoy.data.accesslog.v3.TCPAccessLogEntry', { commonProperties: { startTime: { seconds: 1 } }, connectionProperties: { receivedBytes: 10, sentBytes: '18446744073709551615' } });
    expect(compare('envoy.data.accesslog.v3.HTTPAccessLogEntry', {})).toEqual({});
  });

  it('on timestamps and durations of every precision', () => {
    for (const nanos of [0, 1, 1000, 1_000_000, 123_456_789, 999_999_999]) {
      compare('envoy.data.accesslog.v3.AccessLogCommon', { startTime: { seconds: 1_700_000_000, nanos }, duration: { seconds: 3, nanos } });
    }
  });

  it('on a few hundred pseudo-random entries', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    for (let i = 0; i < 300; i++) {
      compare('envoy.data.accesslog.v3.HTTPAccessLogEntry', {
        commonProperties: {
          startTime: { seconds: Math.floor(rand() * 2e9), nanos: Math.floor(rand() * 1e9) },
          duration: rand() < 0.5 ? { nanos: Math.floor(rand() * 1e9) } : undefined,
          upstreamCluster: pick(['', 'inbound|9080||', 'outbound|9080|v1|ratings']),
          responseFlags: rand() < 0.3 ? { noRouteFound: true } : undefined,
          upstreamRequestAttemptCount: Math.floor(rand() * 3),
        },
        protocolVersion: pick(['PROTOCOL_UNSPECIFIED', 'HTTP10', 'HTTP11', 'HTTP2', 'HTTP3']),
        request: { requestMethod: pick(['GET', 'POST', 'METHOD_UNSPECIFIED']), path: `/p/${i}`, requestBodyBytes: Math.floor(rand() * 2 ** 40) },
        response: rand() < 0.9 ? { responseCode: { value: pick([200, 404, 503]) } } : {},
      });
    }
  });
});

describe('the Gloo seed sample', () => {
  it('comes out exactly as the guide prints it', () => {
    const seed = {
      commonProperties: {
        downstreamRemoteAddress: address('192.168.2.19', 58196),
        downstreamLocalAddress: address('10.96.2.228', 9080),
        startTime: { seconds: 1612288050, nanos: 301634000 },
        timeToLastRxByte: { nanos: 32300 },
        timeToFirstUpstreamTxByte: { nanos: 4618400 },
        timeToLastUpstreamTxByte: { nanos: 4637800 },
        timeToFirstUpstreamRxByte: { nanos: 28778300 },
        timeToLastUpstreamRxByte: { nanos: 29594900 },
        timeToFirstDownstreamTxByte: { nanos: 29173900 },
        timeToLastDownstreamTxByte: { nanos: 29632700 },
        upstreamRemoteAddress: address('192.168.2.18', 9080),
        upstreamLocalAddress: address('192.168.2.19', 52538),
        upstreamCluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local',
        routeName: 'default',
        downstreamDirectRemoteAddress: address('192.168.2.19', 58196),
      },
      protocolVersion: 'HTTP11',
      request: { requestMethod: 'GET', scheme: 'https', authority: 'reviews:9080', path: '/reviews/1', userAgent: 'curl/7.52.1', requestId: '676b631f-b6dd-4a57-b99b-de66b03c2813', requestHeadersBytes: 1207 },
      response: { responseCode: { value: 200 }, responseHeadersBytes: 174, responseBodyBytes: 295, responseCodeDetails: 'via_upstream' },
    };
    const type = types.HTTPAccessLogEntry;
    const json = toProto3Json(type, type.decode(type.encode(type.fromObject(seed)).finish()));
    const expected = `{
  "commonProperties": {
    "downstreamRemoteAddress": {
      "socketAddress": {
        "address": "192.168.2.19",
        "portValue": 58196
      }
    },
    "downstreamLocalAddress": {
      "socketAddress": {
        "address": "10.96.2.228",
        "portValue": 9080
      }
    },
    "startTime": "2021-02-02T17:47:30.301634Z",
    "timeToLastRxByte": "0.000032300s",
    "timeToFirstUpstreamTxByte": "0.004618400s",
    "timeToLastUpstreamTxByte": "0.004637800s",
    "timeToFirstUpstreamRxByte": "0.028778300s",
    "timeToLastUpstreamRxByte": "0.029594900s",
    "timeToFirstDownstreamTxByte": "0.029173900s",
    "timeToLastDownstreamTxByte": "0.029632700s",
    "upstreamRemoteAddress": {
      "socketAddress": {
        "address": "192.168.2.18",
        "portValue": 9080
      }
    },
    "upstreamLocalAddress": {
      "socketAddress": {
        "address": "192.168.2.19",
        "portValue": 52538
      }
    },
    "upstreamCluster": "outbound|9080||reviews.bookinfo.svc.cluster.local",
    "routeName": "default",
    "downstreamDirectRemoteAddress": {
      "socketAddress": {
        "address": "192.168.2.19",
        "portValue": 58196
      }
    }
  },
  "protocolVersion": "HTTP11",
  "request": {
    "requestMethod": "GET",
    "scheme": "https",
    "authority": "reviews:9080",
    "path": "/reviews/1",
    "userAgent": "curl/7.52.1",
    "requestId": "676b631f-b6dd-4a57-b99b-de66b03c2813",
    "requestHeadersBytes": "1207"
  },
  "response": {
    "responseCode": 200,
    "responseHeadersBytes": "174",
    "responseBodyBytes": "295",
    "responseCodeDetails": "via_upstream"
  }
}`;
    expect(JSON.stringify(json, null, 2)).toBe(expected);
  });

  it('writes an Any of an unknown type as its bytes instead of failing', () => {
    const type = types.AccessLogCommon;
    const m = type.decode(type.encode(type.fromObject({ filterStateObjects: { x: { type_url: 'type.googleapis.com/acme.Unknown', value: Buffer.from([1, 2]) } } })).finish());
    expect(toProto3Json(type, m)).toEqual({ filterStateObjects: { x: { '@type': 'type.googleapis.com/acme.Unknown', value: 'AQI=' } } });
  });
});
