/**
 * The accessors on entries that went through protobufjs encode and decode, as the collector has
 * them: unset fields read from the prototype, 64-bit integers as `Long`.
 */
import { describe, expect, it } from 'vitest';
import {
  addressPort,
  durationMicros,
  durationMillis,
  entryColumns,
  entryDurationMicros,
  entryStartMicros,
  formatAddress,
  httpProtocolName,
  requestMethodName,
  socketAddressParts,
  timestampMicros,
} from './entry-fields.js';
import { loadAlsTypes } from './protos.js';

type Obj = Record<string, unknown>;
const als = loadAlsTypes();

function http(object: Obj): Obj {
  const t = als.HTTPAccessLogEntry;
  return t.decode(t.encode(t.fromObject(object)).finish()) as unknown as Obj;
}
function tcp(object: Obj): Obj {
  const t = als.TCPAccessLogEntry;
  return t.decode(t.encode(t.fromObject(object)).finish()) as unknown as Obj;
}
const common = (entry: Obj) => entry['commonProperties'];
const socket = (address: string, portValue: number) => ({ socketAddress: { address, portValue } });

describe('times and durations', () => {
  const e = http({
    commonProperties: {
      startTime: { seconds: 1_460_751_420, nanos: 310_123_999 },
      duration: { seconds: 2, nanos: 226_999_999 },
      timeToLastDownstreamTxByte: { nanos: 5_000_000 },
    },
  });

  it('reads a Timestamp (Long seconds) in microseconds, truncating nanoseconds', () => {
    expect(timestampMicros((common(e) as Obj)['startTime'])).toBe(1_460_751_420_310_123);
    expect(entryStartMicros(common(e))).toBe(1_460_751_420_310_123);
  });

  it('reads a Duration in microseconds and whole milliseconds', () => {
    const d = (common(e) as Obj)['duration'];
    expect(durationMicros(d)).toBe(2_226_999);
    expect(durationMillis(d)).toBe(2_226);
    expect(entryDurationMicros(common(e))).toBe(2_226_999);
  });

  it('falls back to time_to_last_downstream_tx_byte when duration is unset (Envoy < 1.27)', () => {
    const old = http({ commonProperties: { timeToLastDownstreamTxByte: { nanos: 5_000_000 } } });
    expect(entryDurationMicros(common(old))).toBe(5_000);
  });

  it('maps unset values to null', () => {
    const empty = http({ commonProperties: {} });
    expect(timestampMicros((common(empty) as Obj)['startTime'])).toBeNull();
    expect(entryStartMicros(common(empty))).toBeNull();
    expect(entryDurationMicros(common(empty))).toBeNull();
    expect(entryDurationMicros(undefined)).toBeNull();
    expect(durationMillis(null)).toBeNull();
    expect(durationMicros(undefined)).toBeNull();
  });

  it('accepts seconds as number, string or Long', () => {
    expect(timestampMicros({ seconds: 1, nanos: 1000 })).toBe(1_000_001);
    expect(timestampMicros({ seconds: '2' })).toBe(2_000_000);
  });
});

describe('methods and protocols', () => {
  it.each([
    [1, 'GET'],
    [2, 'HEAD'],
    [3, 'POST'],
    [4, 'PUT'],
    [5, 'DELETE'],
    [6, 'CONNECT'],
    [7, 'OPTIONS'],
    [8, 'TRACE'],
    [9, 'PATCH'],
  ])('RequestMethod %i is %s', (n, name) => {
    expect(requestMethodName((http({ request: { requestMethod: n } }) as Obj)['request'])).toBe(name);
  });

  it('has no method when unspecified or without a request', () => {
    expect(requestMethodName((http({ request: { path: '/' } }) as Obj)['request'])).toBeNull();
    expect(requestMethodName(null)).toBeNull();
    expect(requestMethodName({ requestMethod: 42 })).toBeNull();
  });

  it.each([
    [0, null],
    [1, 'HTTP/1.0'],
    [2, 'HTTP/1.1'],
    [3, 'HTTP/2'],
    [4, 'HTTP/3'],
    [undefined, null],
  ])('HTTPVersion %s prints %s', (n, name) => {
    expect(httpProtocolName(n)).toBe(name);
  });
});

describe('addresses', () => {
  const e = http({
    commonProperties: {
      downstreamRemoteAddress: socket('10.0.35.28', 47212),
      downstreamLocalAddress: socket('fd00::1', 9080),
      upstreamRemoteAddress: { pipe: { path: '/var/run/app.sock' } },
    },
  });
  const c = common(e) as Obj;

  it('splits socket addresses', () => {
    expect(socketAddressParts(c['downstreamRemoteAddress'])).toEqual({ address: '10.0.35.28', port: 47212 });
    expect(socketAddressParts(c['upstreamRemoteAddress'])).toBeNull();
    expect(socketAddressParts(c['upstreamLocalAddress'])).toBeNull();
    expect(addressPort(c['downstreamLocalAddress'])).toBe(9080);
    expect(addressPort(c['upstreamRemoteAddress'])).toBeNull();
  });

  it('formats IPv4, IPv6 (bracketed with a port), pipes and unset addresses', () => {
    expect(formatAddress(c['downstreamRemoteAddress'], true)).toBe('10.0.35.28:47212');
    expect(formatAddress(c['downstreamRemoteAddress'], false)).toBe('10.0.35.28');
    expect(formatAddress(c['downstreamLocalAddress'], true)).toBe('[fd00::1]:9080');
    expect(formatAddress(c['downstreamLocalAddress'], false)).toBe('fd00::1');
    expect(formatAddress(c['upstreamRemoteAddress'], true)).toBe('/var/run/app.sock');
    expect(formatAddress(c['upstreamLocalAddress'], true)).toBeNull();
    expect(formatAddress({ envoyInternalAddress: { serverListenerName: 'inner' } }, true)).toBe('envoy://inner');
  });
});

describe('entryColumns', () => {
  it('fills every column of an HTTP entry, flags in Envoy order', () => {
    const e = http({
      commonProperties: {
        startTime: { seconds: 1_700_000_000, nanos: 301_634_000 },
        duration: { nanos: 2_971_100 },
        upstreamCluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local',
        // Set in the reverse of Envoy's order: the join must follow Envoy, not the object.
        responseFlags: { upstreamRetryLimitExceeded: true, upstreamConnectionFailure: true },
        upstreamTransportFailureReason: 'TLS error: Secret is not supplied by SDS',
      },
      protocolVersion: 2,
      request: { requestMethod: 3, authority: 'reviews:9080', path: '/reviews/0?x=1', requestId: 'abc', requestBodyBytes: 12 },
      response: { responseCode: { value: 503 }, responseBodyBytes: 91 },
    });
    expect(entryColumns('http', e)).toEqual({
      ts: 1_700_000_000_301_634,
      method: 'POST',
      authority: 'reviews:9080',
      path: '/reviews/0?x=1',
      status: 503,
      durationUs: 2_971,
      responseFlags: 'UF,URX',
      upstreamCluster: 'outbound|9080||reviews.bookinfo.svc.cluster.local',
      requestId: 'abc',
      bytesReceived: 12,
      bytesSent: 91,
      upstreamFailure: 'TLS error: Secret is not supplied by SDS',
    });
  });

  it('counts UAEX from its details message and leaves flags empty when none is set', () => {
    const withUaex = http({ commonProperties: { responseFlags: { unauthorizedDetails: { reason: 1 } } } });
    expect(entryColumns('http', withUaex).responseFlags).toBe('UAEX');
    const none = http({ commonProperties: { responseFlags: {} } });
    expect(entryColumns('http', none).responseFlags).toBe('');
  });

  it('has null status without a response code and nulls for unset strings', () => {
    const e = http({ commonProperties: { startTime: { seconds: 1 } }, request: { requestMethod: 1 } });
    expect(entryColumns('http', e)).toEqual({
      ts: 1_000_000,
      method: 'GET',
      authority: null,
      path: null,
      status: null,
      durationUs: null,
      responseFlags: '',
      upstreamCluster: null,
      requestId: null,
      bytesReceived: 0,
      bytesSent: 0,
      upstreamFailure: null,
    });
  });

  it('reads only common columns from a TCP entry', () => {
    const e = tcp({
      commonProperties: {
        startTime: { seconds: 2 },
        timeToLastDownstreamTxByte: { seconds: 1 },
        upstreamCluster: 'db',
        responseFlags: { upstreamConnectionFailure: true },
      },
      connectionProperties: { receivedBytes: 10, sentBytes: 20 },
    });
    expect(entryColumns('tcp', e)).toEqual({
      ts: 2_000_000,
      method: null,
      authority: null,
      path: null,
      status: null,
      durationUs: 1_000_000,
      responseFlags: 'UF',
      upstreamCluster: 'db',
      requestId: null,
      bytesReceived: 10,
      bytesSent: 20,
      upstreamFailure: null,
    });
  });

  it('stamps an entry without a start time with the fallback', () => {
    expect(entryColumns('tcp', tcp({}), 42).ts).toBe(42);
  });
});
