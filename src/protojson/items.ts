/**
 * How an entry looks on the wire: Gloo's `{"result": {"workloadRef", "httpAccessLog"}}` items and
 * `/api/v1` items, with the Envoy entry in proto3 JSON. Here, below the pipeline, because live
 * watchers' items are rendered where entries are ingested (the ingest workers), and the HTTP API
 * renders stored ones the same way.
 */
import type protobuf from 'protobufjs';
import { loadAlsTypes } from '../envoy/protos.js';
import { decodeRepairing } from '../envoy/utf8-repair.js';
import type { DecodedEntry, EntryEnd, EntryFacts, EntryKind } from '../model/entry.js';
import type { WorkloadRef } from '../model/proxy-identity.js';
import { toProto3Json } from './proto-json.js';
import { jsonBytes, jsonMessage, jsonStart, jsonText } from './wire-json.js';

function typeOf(kind: EntryKind): protobuf.Type {
  const types = loadAlsTypes();
  return kind === 'http' ? types.HTTPAccessLogEntry : types.TCPAccessLogEntry;
}

/** An encoded entry (as stored, or as received) decoded for printing. */
export function decodeStored(stored: { readonly kind: EntryKind; readonly entry: Uint8Array }): DecodedEntry {
  // An entry stored without being decoded may hold strings that are not UTF-8: print them repaired.
  return decodeRepairing(typeOf(stored.kind), stored.entry).message as unknown as DecodedEntry;
}

/** `core.skv2.solo.io.ClusterObjectRef` in proto3 JSON: empty fields are omitted. */
export function workloadRefJson(ref: WorkloadRef): Record<string, string> {
  const out: Record<string, string> = {};
  if (ref.name) out['name'] = ref.name;
  if (ref.namespace) out['namespace'] = ref.namespace;
  if (ref.clusterName) out['clusterName'] = ref.clusterName;
  return out;
}

function entryJson(kind: EntryKind, entry: DecodedEntry): Record<string, unknown> {
  const json = toProto3Json(typeOf(kind), entry);
  return kind === 'http' ? { httpAccessLog: json } : { tcpAccessLog: json };
}

/** One item of `POST /v0/observability/logs`. TCP entries come as `tcpAccessLog` (a meshlog extension). */
export function glooItem(kind: EntryKind, workload: WorkloadRef, entry: DecodedEntry): { result: Record<string, unknown> } {
  return { result: { workloadRef: workloadRefJson(workload), ...entryJson(kind, entry) } };
}

/**
 * `JSON.stringify(glooItem(…))` as UTF-8, written from the entry's bytes (`wire-json.ts`): a view of
 * a shared buffer, valid until the next item is written; `undefined` when the entry must be decoded.
 */
export function glooItemBytes(kind: EntryKind, workload: WorkloadRef, bytes: Uint8Array): Buffer | undefined {
  jsonStart();
  return writeGlooItem(kind, workload, bytes) ? jsonBytes() : undefined;
}

/** Appends `glooItemBytes`' text where the writer is (`jsonStart`, or `jsonInto` a buffer); false when the entry must be decoded. */
export function writeGlooItem(kind: EntryKind, workload: WorkloadRef, bytes: Uint8Array): boolean {
  jsonText(`{"result":{"workloadRef":${workloadRefText(workload)},"${kind === 'http' ? 'httpAccessLog' : 'tcpAccessLog'}":`);
  if (!jsonMessage(typeOf(kind), bytes)) return false;
  jsonText('}}');
  return true;
}

/** An entry's facts, with its store id when it has one (a live entry has none yet). */
export interface V1ItemSource extends EntryFacts {
  readonly id?: number;
}

/** An end of the call with only what is known (`{workload, namespace, cluster, ip, port, service}`). */
export function endJson(end: EntryEnd): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(end)) if (value !== null && value !== '') out[key] = value;
  return out;
}

/** One item of `GET /api/v1/logs`. */
export function v1Item(source: V1ItemSource, entry: DecodedEntry): Record<string, unknown> {
  return { ...v1Head(source), ...entryJson(source.kind, entry) };
}

/** `JSON.stringify(v1Item(…))` as UTF-8, as `glooItemBytes` writes it; `undefined` when the entry must be decoded. */
export function v1ItemBytes(source: V1ItemSource, bytes: Uint8Array): Buffer | undefined {
  jsonStart();
  return writeV1Item(source, bytes) ? jsonBytes() : undefined;
}

/** Appends `v1ItemBytes`' text where the writer is, as `writeGlooItem` does. */
export function writeV1Item(source: V1ItemSource, bytes: Uint8Array): boolean {
  jsonText(`${v1HeadText(source)},"${source.kind === 'http' ? 'httpAccessLog' : 'tcpAccessLog'}":`);
  if (!jsonMessage(typeOf(source.kind), bytes)) return false;
  jsonText('}');
  return true;
}

/**
 * `JSON.stringify(v1Head(source))` without its closing brace, written as text: the parts a proxy's
 * entries share (its workload and labels, the same objects for every entry of a stream) are kept as
 * text per object, and the rest is concatenated in `v1Head`'s order, without the objects between.
 */
function v1HeadText(source: V1ItemSource): string {
  // Facts of another shape (from outside TypeScript's view) take the objects' path.
  if (typeof source.instance !== 'string' || !isObject(source.labels) || !isObject(source.workload)) return JSON.stringify(v1Head(source)).slice(0, -1);
  let text = source.id !== undefined ? `{"id":"${source.id}","startTime":"` : '{"startTime":"';
  text += `${new Date(Math.floor(source.ts / 1000)).toISOString()}","kind":"${source.kind}","workloadRef":${workloadRefText(source.workload)}`;
  text += `,"labels":${labelsText(source.labels)},"instance":${JSON.stringify(source.instance)}`;
  if (source.direction) text += `,"direction":"${source.direction}"`;
  return `${text},"source":${endText(source.source)},"destination":${endText(source.destination)}`;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

const workloadRefTexts = new WeakMap<WorkloadRef, string>();
const labelsTexts = new WeakMap<Readonly<Record<string, string>>, string>();

function workloadRefText(ref: WorkloadRef): string {
  let text = workloadRefTexts.get(ref);
  if (text === undefined) workloadRefTexts.set(ref, (text = JSON.stringify(workloadRefJson(ref))));
  return text;
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  let text = labelsTexts.get(labels);
  if (text === undefined) labelsTexts.set(labels, (text = JSON.stringify(labels)));
  return text;
}

/** `JSON.stringify(endJson(end))`, its keys in the object's own order. */
function endText(end: EntryEnd): string {
  let text = '';
  for (const key in end) {
    const value = end[key as keyof EntryEnd];
    if (value === null || value === '' || value === undefined) continue;
    text += `${text === '' ? '{' : ','}"${key}":${JSON.stringify(value)}`;
  }
  return text === '' ? '{}' : `${text}}`;
}

/** An item's fields before the entry (never empty: `startTime` is always there). */
function v1Head(source: V1ItemSource): Record<string, unknown> {
  return {
    ...(source.id !== undefined ? { id: String(source.id) } : {}),
    startTime: new Date(Math.floor(source.ts / 1000)).toISOString(),
    kind: source.kind,
    workloadRef: workloadRefJson(source.workload),
    labels: source.labels,
    instance: source.instance,
    ...(source.direction ? { direction: source.direction } : {}),
    source: endJson(source.source),
    destination: endJson(source.destination),
  };
}

export function stringify(value: unknown, pretty: boolean): string {
  return `${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`;
}
