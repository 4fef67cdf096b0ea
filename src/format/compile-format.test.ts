/**
 * Whole formats: Envoy's documented default-format example, the default formats, typed and
 * string JSON values, `omitEmptyValues`, and compile errors with their positions.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedEntry } from '../model/entry.js';
import { compileFormat } from './compile-format.js';
import { defaultFormatFor, envoyDefaultFormat, istioDefaultFormat, kumaHttpDefaultFormat, kumaNetworkDefaultFormat } from './default-formats.js';
import { decodeHttp, decodeTcp, sampleHttpContext, sampleHttpObject, socket } from './testing/sample-entries.js';
import type { FormatContext, FormatSpec } from './types.js';

const full = decodeHttp(sampleHttpObject());

function format(spec: FormatSpec, entry: DecodedEntry = full, context: FormatContext = sampleHttpContext): unknown {
  const compiled = compileFormat(spec);
  if (!compiled.ok) throw new Error(compiled.violations.map((v) => `${v.field}: ${v.message}`).join('; '));
  return compiled.format(entry, context);
}

function violations(spec: FormatSpec): string[] {
  const compiled = compileFormat(spec);
  return compiled.ok ? [] : compiled.violations.map((v) => `${v.field}: ${v.message}`);
}

describe('default formats', () => {
  it("renders Envoy's documented example line", () => {
    // Envoy's docs print `"tcp://10.0.2.1:80"` for UPSTREAM_HOST, the Envoy 1.0 address form;
    // Envoy has printed `ip:port` since, and so do we.
    const entry = decodeHttp({
      commonProperties: {
        startTime: { seconds: Date.UTC(2016, 3, 15, 20, 17, 0) / 1000, nanos: 310_000_000 },
        duration: { nanos: 226_000_000 },
        upstreamRemoteAddress: socket('10.0.2.1', 80),
      },
      protocolVersion: 3,
      request: {
        requestMethod: 3,
        path: '/api/v1/locations',
        authority: 'locations',
        userAgent: 'nsq2http',
        forwardedFor: '10.0.35.28',
        requestId: 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
        requestBodyBytes: 154,
      },
      response: { responseCode: { value: 204 }, responseHeaders: { 'x-envoy-upstream-service-time': '100' } },
    });
    expect(format({ plain: envoyDefaultFormat }, entry)).toBe(
      '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "10.0.2.1:80"',
    );
  });

  it("renders Istio's default format", () => {
    expect(format({ plain: istioDefaultFormat })).toBe(
      '[2016-04-15T20:17:00.310Z] "POST /reviews/0?x=1 HTTP/1.1" 200 UF,URX,DR via_upstream idle_timeout "TLS error: Secret is not supplied by SDS" ' +
        '154 295 2971 100 "10.0.0.1" "curl/8.0" "req-1" "reviews:9080" "10.244.2.9:8080" inbound|9080|| 127.0.0.6:52538 10.244.2.9:9080 ' +
        '10.244.1.17:47212 outbound_.9080_._.reviews.bookinfo.svc.cluster.local default',
    );
  });

  it("renders Kuma's HTTP default for an inbound entry, naming the real client", () => {
    expect(defaultFormatFor('http')).toEqual({ plain: kumaHttpDefaultFormat });
    expect(format(defaultFormatFor('http'))).toBe(
      '[2016-04-15T20:17:00.310Z] default "POST /reviews/0?x=1 HTTP/1.1" 200 UF,URX,DR 154 295 2971 100 "10.0.0.1" "curl/8.0" ' +
        '"80f198ee56343ba864fe8b2a57d3eff7" "req-1" "reviews:9080" "productpage" "reviews" "10.244.1.17" "10.244.2.9:8080"',
    );
  });

  it("renders Kuma's network default for an outbound TCP entry as Kuma's golden file does", () => {
    expect(defaultFormatFor('tcp')).toEqual({ plain: kumaNetworkDefaultFormat });
    const entry = decodeTcp({
      commonProperties: {
        startTime: { seconds: Date.UTC(2016, 3, 15, 20, 17, 0) / 1000, nanos: 310_000_000 },
        upstreamRemoteAddress: socket('10.0.0.9', 6379),
        duration: { nanos: 5_000_000 },
      },
      connectionProperties: { receivedBytes: 10, sentBytes: 20 },
    });
    const context: FormatContext = {
      kind: 'tcp',
      proxy: { mesh: 'default', address: '127.0.0.1', service: 'unknown' },
      direction: 'outbound',
      peer: { service: 'other-meshservice-tcp' },
    };
    expect(format(defaultFormatFor('tcp'), entry, context)).toBe(
      '[2016-04-15T20:17:00.310Z] - default 127.0.0.1(unknown)->10.0.0.9:6379(other-meshservice-tcp) took 5ms, sent 20 bytes, received: 10 bytes',
    );
  });
});

describe('plain text', () => {
  it('prints %% as a percent sign and keeps the text between operators', () => {
    expect(format({ plain: '100%% of %RESPONSE_CODE%; %%%DURATION%%%' })).toBe('100% of 200; %2971%');
  });

  it('prints missing values as -, or nothing with omitEmptyValues', () => {
    const spec = { plain: '[%REQ(X-NOPE)%] [%ROUTE_NAME%] [%RESPONSE_FLAGS%]' };
    const bare = decodeHttp({ commonProperties: {} });
    expect(format(spec, bare)).toBe('[-] [-] [-]');
    // RESPONSE_FLAGS prints `-` itself when no flag is set, as Envoy does: it stays.
    expect(format({ ...spec, omitEmptyValues: true }, bare)).toBe('[] [] [-]');
  });
});

describe('json', () => {
  const spec: FormatSpec = {
    json: [
      { key: 'duration', value: '%DURATION%' },
      { key: 'durationText', value: '%DURATION%.0' },
      { key: 'method', value: '%REQ(:METHOD)%' },
      { key: 'missing', value: '%REQ(X-NOPE)%' },
      { key: 'missingMixed', value: 'x %REQ(X-NOPE)%' },
      { key: 'meta', value: '%DYNAMIC_METADATA(com.test.my_filter:test_object)%' },
      { key: 'metaInText', value: 'm=%DYNAMIC_METADATA(com.test.my_filter:test_object)%' },
      { key: 'code', value: '%RESPONSE_CODE%' },
      { key: 'constant', value: 'literal' },
      { key: 'path', value: '%REQ(:PATH):4%' },
      { key: 'peer', value: '%FILTER_STATE(wasm.upstream_peer_id)%' },
      { key: 'state', value: '%FILTER_STATE(st)%' },
      { key: 'flags', value: '%RESPONSE_FLAGS%' },
    ],
  };

  it('types a value only when one operator is the whole value, keeping the key order', () => {
    const out = format(spec) as Record<string, unknown>;
    expect(out).toStrictEqual({
      duration: 2971,
      durationText: '2971.0',
      method: 'POST',
      missing: null,
      missingMixed: 'x -',
      meta: { inner_key: 'bar' },
      metaInText: 'm={"inner_key":"bar"}',
      code: 200,
      constant: 'literal',
      path: '/rev',
      peer: 'sidecar~10.244.2.9~reviews-v1.bookinfo',
      state: { a: 'b' },
      flags: 'UF,URX,DR',
    });
    expect(Object.keys(out)).toEqual(spec.json.map((f) => f.key));
  });

  it('drops missing keys with omitEmptyValues', () => {
    const out = format({ ...spec, omitEmptyValues: true }, decodeHttp({ commonProperties: {} })) as Record<string, unknown>;
    expect(out).toStrictEqual({
      durationText: '.0',
      missingMixed: 'x ',
      metaInText: 'm=',
      code: 0,
      constant: 'literal',
      flags: '-',
    });
  });
});

describe('compile errors', () => {
  it.each<[FormatSpec, string[]]>([
    [{ plain: '[%DURATION%]%FOO%' }, ['format.plain: unknown command operator %FOO% at column 13']],
    [{ plain: '50% off' }, ["format.plain: malformed command operator at column 3: '%' must be followed by an operator name (A-Z, 0-9, _) or by another '%'"]],
    [
      { plain: '%duration%' },
      [
        "format.plain: malformed command operator at column 1: '%' must be followed by an operator name (A-Z, 0-9, _) or by another '%'",
        "format.plain: malformed command operator at column 10: '%' must be followed by an operator name (A-Z, 0-9, _) or by another '%'",
      ],
    ],
    [{ plain: 'x %START_TIME(%Y' }, ["format.plain: unterminated command operator %START_TIME(%Y at column 3: '(' without ')'"]],
    [{ plain: '%DURATION' }, ['format.plain: unterminated command operator %DURATION at column 1: expected \'%\' after "%DURATION"']],
    [{ plain: '%DURATION(x)%' }, ['format.plain: invalid command operator %DURATION(x)% at column 1: DURATION takes no argument']],
    [{ plain: '%RESPONSE_CODE:3%' }, ["format.plain: invalid command operator %RESPONSE_CODE:3% at column 1: RESPONSE_CODE does not take a length (':Z')"]],
    [
      { plain: '%REQ% %REQ()%' },
      [
        'format.plain: invalid command operator %REQ% at column 1: REQ needs a header name',
        'format.plain: invalid command operator %REQ()% at column 7: REQ needs a header name',
      ],
    ],
    [
      { plain: '%REQ(A?B?C)%' },
      ['format.plain: invalid command operator %REQ(A?B?C)% at column 1: REQ takes at most one alternative header (\'X?Y\'), got "A?B?C"'],
    ],
    [{ plain: '%REQ(?B)%' }, ['format.plain: invalid command operator %REQ(?B)% at column 1: REQ has an empty header name in "?B"']],
    [{ plain: '%START_TIME(%Q)%' }, ['format.plain: invalid command operator %START_TIME(%Q)% at column 1: unknown time specifier %Q']],
    [
      { plain: '%GRPC_STATUS(FOO)%' },
      ['format.plain: invalid command operator %GRPC_STATUS(FOO)% at column 1: GRPC_STATUS takes CAMEL_STRING, SNAKE_STRING or NUMBER, got "FOO"'],
    ],
    [
      { plain: '%FILTER_STATE(k:RAW)%' },
      ['format.plain: invalid command operator %FILTER_STATE(k:RAW)% at column 1: FILTER_STATE takes KEY, KEY:PLAIN or KEY:TYPED, got "k:RAW"'],
    ],
    [
      { plain: '%DYNAMIC_METADATA(:k)%' },
      ['format.plain: invalid command operator %DYNAMIC_METADATA(:k)% at column 1: DYNAMIC_METADATA has an empty namespace or key in ":k"'],
    ],
    [{ plain: '%ENVIRONMENT%' }, ['format.plain: invalid command operator %ENVIRONMENT% at column 1: ENVIRONMENT needs a variable name']],
    [
      {
        json: [
          { key: 'ok', value: '%DURATION%' },
          { key: '', value: '%NOPE% and %REQ()%' },
        ],
      },
      [
        'format.json[1].key: must not be empty',
        'format.json[1].value: unknown command operator %NOPE% at column 1',
        'format.json[1].value: invalid command operator %REQ()% at column 12: REQ needs a header name',
      ],
    ],
  ])('%j', (spec, expected) => {
    expect(violations(spec)).toEqual(expected);
  });

  it('uses the given path and lists operators that always render -', () => {
    const bad = compileFormat({ plain: '%X%' }, { path: 'spec.to[0].default.backends[1].file.format' });
    expect(bad.ok ? [] : bad.violations).toEqual([
      { field: 'spec.to[0].default.backends[1].file.format.plain', message: 'unknown command operator %X% at column 1' },
    ]);
    const good = compileFormat({ plain: '%DOWNSTREAM_PEER_CERT% %CONNECTION_ID% %DOWNSTREAM_PEER_CERT% %DURATION%' });
    expect(good.ok && good.unsupported).toEqual(['DOWNSTREAM_PEER_CERT', 'CONNECTION_ID']);
  });
});
