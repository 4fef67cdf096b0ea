/**
 * proto3 JSON output, entries per second on one core, for a realistic HTTP entry (about 700 bytes
 * encoded, four request headers), already decoded as the query path and live watches have it:
 * - `toProto3Json`: ours, conformant proto3 JSON, then `JSON.stringify` (and, to show where the
 *   time goes, without the `JSON.stringify`);
 * - `protobufjsToObject`: protobufjs `toObject` + `JSON.stringify`, a yardstick only (its output
 *   is not proto3 JSON: Timestamps as `{seconds, nanos}`, wrappers as objects);
 * - `protobufEsToJsonString`: protobuf-es `toJsonString` on its own decoded message, on a registry
 *   built from the same protobufjs Root (`fileDescriptorSetOf`).
 *
 * @bufbuild/protobuf is a devDependency and the descriptor extension patches protobufjs
 * prototypes, so both are imported when a function here runs, never when this module loads.
 */
import type protobuf from 'protobufjs';
import { loadAlsTypes } from '../envoy/protos.js';
import { toProto3Json } from '../envoy/proto-json.js';
import { fileDescriptorSetOf } from '../envoy/protobuf-es-registry.js';
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
  if (sink === 0) throw new Error('The contenders produced no output.');
  figures['entryEncodedBytes'] = bytes.length;
  figures['entryJsonBytes'] = JSON.stringify(toProto3Json(type, decoded)).length;
  return figures;
}
