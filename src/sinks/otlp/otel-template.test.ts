/**
 * The OTel body/attributes compiler on the formatter's sample entries: string bodies, AnyValue
 * bodies with formatted leaves and keys, other JSON values, the default body, and violations.
 */
import { describe, expect, it } from 'vitest';
import { compileFormat } from '../../format/compile-format.js';
import { kumaHttpDefaultFormat, kumaNetworkDefaultFormat } from '../../format/default-formats.js';
import { decodeHttp, decodeTcp, sampleHttpContext, sampleHttpObject, sampleStart, socket } from '../../format/testing/sample-entries.js';
import type { FormatContext } from '../../format/types.js';
import { compileOtelTemplate, type OtelTemplate } from './otel-template.js';
import { entryTimeUnixNano } from './otel-types.js';

const http = decodeHttp(sampleHttpObject());
const tcpContext: FormatContext = { ...sampleHttpContext, kind: 'tcp' };
const tcp = decodeTcp({ commonProperties: { startTime: sampleStart, upstreamRemoteAddress: socket('10.0.0.9', 6379), duration: { nanos: 5_000_000 } } });

function compiled(body: unknown, attributes?: { key: string; value: string }[]): OtelTemplate {
  const t = compileOtelTemplate(body, attributes, { path: 'spec.to[0].default.backends[0].openTelemetry' });
  if (!t.ok) throw new Error(t.violations.map((v) => `${v.field}: ${v.message}`).join('; '));
  return t;
}

function plain(format: string, context: FormatContext = sampleHttpContext, entry = http): string {
  const f = compileFormat({ plain: format });
  if (!f.ok) throw new Error('bad format');
  return f.format(entry, context) as string;
}

describe('compileOtelTemplate', () => {
  it('formats a string body into a stringValue', () => {
    expect(compiled('%REQ(:METHOD)% %REQ(:PATH)% -> %RESPONSE_CODE%').render(http, sampleHttpContext).body).toEqual({
      stringValue: 'POST /reviews/0?x=1 -> 200',
    });
  });

  it('formats stringValue leaves and kvlist keys of an AnyValue body, keeping other leaves', () => {
    const body = {
      kvlistValue: {
        values: [
          { key: 'path', value: { stringValue: '%REQ(:PATH)%' } },
          { key: '%KUMA_MESH%', value: { string_value: 'mesh key' } },
          { key: 'fixed', value: { intValue: '42' } },
          { key: 'flag', value: { boolValue: true } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: '%RESPONSE_CODE%' }, { doubleValue: 1.5 }] } } },
        ],
      },
    };
    expect(compiled(body).render(http, sampleHttpContext).body).toEqual({
      kvlistValue: {
        values: [
          { key: 'path', value: { stringValue: '/reviews/0?x=1' } },
          { key: 'default', value: { stringValue: 'mesh key' } },
          { key: 'fixed', value: { intValue: '42' } },
          { key: 'flag', value: { boolValue: true } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: '200' }, { doubleValue: 1.5 }] } } },
        ],
      },
    });
  });

  it('turns any other JSON value into the stringValue of its JSON text, formatted', () => {
    expect(compiled({ path: '%REQ(:PATH)%', code: 1 }).render(http, sampleHttpContext).body).toEqual({
      stringValue: '{"path":"/reviews/0?x=1","code":1}',
    });
    // Two oneof members at once is not an AnyValue.
    expect(compiled({ stringValue: 'a', boolValue: true }).render(http, sampleHttpContext).body).toEqual({
      stringValue: '{"stringValue":"a","boolValue":true}',
    });
    expect(compiled(7).render(http, sampleHttpContext).body).toEqual({ stringValue: '7' });
  });

  it("defaults to Kuma's format for the entry's kind, without a newline", () => {
    const t = compiled(undefined);
    expect(t.render(http, sampleHttpContext).body).toEqual({ stringValue: plain(kumaHttpDefaultFormat) });
    expect(t.render(tcp, tcpContext).body).toEqual({ stringValue: plain(kumaNetworkDefaultFormat, tcpContext, tcp) });
    expect(plain(kumaHttpDefaultFormat)).toContain('"reviews:9080"');
    expect(plain(kumaHttpDefaultFormat).endsWith('\n')).toBe(false);
  });

  it('formats attribute keys and values into string attributes, in order', () => {
    const t = compiled('x', [
      { key: 'method', value: '%REQ(:METHOD)%' },
      { key: 'mesh.%KUMA_MESH%', value: 'static' },
    ]);
    expect(t.render(http, sampleHttpContext).attributes).toEqual([
      { key: 'method', value: { stringValue: 'POST' } },
      { key: 'mesh.default', value: { stringValue: 'static' } },
    ]);
  });

  it('returns every violation with the field it is in', () => {
    const t = compileOtelTemplate(
      { kvlistValue: { values: [{ key: 'a', value: { stringValue: '%NOT_AN_OPERATOR%' } }] } },
      [
        { key: '', value: '%REQ(:PATH)%' },
        { key: 'b', value: '%ALSO_NOT%' },
      ],
      { path: 'spec.backends[0].openTelemetry' },
    );
    expect(t.ok).toBe(false);
    if (t.ok) return;
    expect(t.violations.map((v) => v.field)).toEqual([
      'spec.backends[0].openTelemetry.body.kvlistValue.values[0].value.stringValue',
      'spec.backends[0].openTelemetry.attributes[0].key',
      'spec.backends[0].openTelemetry.attributes[1].value',
    ]);
    expect(t.violations[0]!.message).toMatch(/unknown command operator %NOT_AN_OPERATOR%/);
  });

  it("takes the record's time from the entry's start time, to the nanosecond", () => {
    expect(entryTimeUnixNano(http)).toBe(1_460_751_420_310_123_456n);
    expect(entryTimeUnixNano({})).toBe(0n);
  });
});
