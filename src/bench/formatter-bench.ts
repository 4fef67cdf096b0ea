/**
 * Formatter throughput, entries per second on one core, on a realistic inbound HTTP entry
 * already decoded (as the pipeline has it):
 * - `envoyDefaultText`: Envoy's default text format; `kumaHttpDefaultText`: Kuma's HTTP default;
 * - `json10Fields`: a 10-field JSON format to an object, and `json10FieldsStringified` with the
 *   `JSON.stringify` a sink does;
 * - `protobufjsToObjectStringify`: protobufjs `toObject` + `JSON.stringify` of the same entry,
 *   the yardstick the issue sets ("at least as fast as JSON.stringify").
 */
import { loadAlsTypes } from '../envoy/protos.js';
import { compileFormat, envoyDefaultFormat, type FormatSpec, kumaHttpDefaultFormat } from '../format/index.js';
import { decodeHttp, sampleHttpContext, sampleHttpObject } from '../format/testing/sample-entries.js';
import { perSecond } from './per-second.js';

const json10: FormatSpec = {
  json: [
    { key: 'start_time', value: '%START_TIME%' },
    { key: 'method', value: '%REQ(:METHOD)%' },
    { key: 'path', value: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%' },
    { key: 'protocol', value: '%PROTOCOL%' },
    { key: 'response_code', value: '%RESPONSE_CODE%' },
    { key: 'response_flags', value: '%RESPONSE_FLAGS%' },
    { key: 'bytes_received', value: '%BYTES_RECEIVED%' },
    { key: 'duration', value: '%DURATION%' },
    { key: 'upstream_host', value: '%UPSTREAM_HOST%' },
    { key: 'request_id', value: '%REQ(X-REQUEST-ID)%' },
  ],
};

export async function benchFormatter(opts: { seconds?: number } = {}): Promise<Record<string, number>> {
  const seconds = opts.seconds ?? 2;
  const type = loadAlsTypes().HTTPAccessLogEntry;
  const entry = decodeHttp(sampleHttpObject());
  const context = sampleHttpContext;
  const compile = (spec: FormatSpec) => {
    const compiled = compileFormat(spec);
    if (!compiled.ok) throw new Error(`Bench format does not compile: ${compiled.violations.map((v) => v.message).join('; ')}`);
    return compiled;
  };
  const envoyText = compile({ plain: envoyDefaultFormat });
  const kumaText = compile({ plain: kumaHttpDefaultFormat });
  const json = compile(json10);
  const toObjectOptions = { longs: String, enums: String, bytes: String };

  let sink = 0;
  const figures: Record<string, number> = {};
  figures['envoyDefaultText'] = perSecond(seconds, () => (sink += (envoyText.format(entry, context) as string).length));
  figures['kumaHttpDefaultText'] = perSecond(seconds, () => (sink += (kumaText.format(entry, context) as string).length));
  figures['json10Fields'] = perSecond(seconds, () => (sink += json.format(entry, context) === null ? 0 : 1));
  figures['json10FieldsStringified'] = perSecond(seconds, () => (sink += JSON.stringify(json.format(entry, context)).length));
  figures['protobufjsToObjectStringify'] = perSecond(seconds, () => (sink += JSON.stringify(type.toObject(entry as never, toObjectOptions)).length));
  if (sink === 0) throw new Error('The contenders produced no output.');
  return figures;
}
