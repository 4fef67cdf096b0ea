/**
 * The `meshlog.relay.v1` protocol (`relay.proto` beside this file), loaded at run time with
 * protobufjs as Envoy's protos are, and the codecs both ends use: agent and server messages, a
 * batch's entries (compressed), and a proxy identity.
 *
 * The build copies it with Envoy's protos into `dist/protos/meshlog/relay/v1/`; a source checkout
 * that was never built reads it from `src/relay/`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { Compressor, decompress as zstdDecompress } from 'zstd-napi';
import { protosDir } from '../envoy/protos.js';
import type { EntryKind } from '../model/entry.js';
import type { ProxyFlavor, ProxyIdentity } from '../model/proxy-identity.js';

export const relayServicePath = '/meshlog.relay.v1.Relay/Connect';

export type Compression = 'none' | 'gzip' | 'zstd';

export interface RelayBatch {
  readonly sequence: number;
  readonly proxy: ProxyIdentity;
  readonly kind: EntryKind;
  readonly receivedAtMs: number;
  readonly count: number;
  readonly compression: Compression;
  /** An `Entries` message, compressed as `compression` says. */
  readonly entries: Uint8Array;
}

export interface ProxyStatus {
  readonly proxy: ProxyIdentity;
  readonly activeStreams: number;
  readonly entries: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

export type AgentMessage =
  | { readonly hello: { readonly agentId: string; readonly cluster: string; readonly version: string } }
  | { readonly batch: RelayBatch }
  | { readonly inventory: { readonly proxies: readonly ProxyStatus[] } };

export type ServerMessage =
  | { readonly welcome: { readonly clusters: readonly string[]; readonly storedThrough: number } }
  | { readonly resources: { readonly generation: number; readonly documents: string } }
  | { readonly ack: { readonly through: number } }
  | { readonly refused: { readonly sequence: number; readonly reason: string } };

interface RelayTypes {
  readonly AgentMessage: protobuf.Type;
  readonly ServerMessage: protobuf.Type;
  readonly Batch: protobuf.Type;
  readonly Entries: protobuf.Type;
}

let types: RelayTypes | undefined;

function relayProtoFile(): string {
  const built = (() => {
    try {
      return [path.join(protosDir(), 'meshlog', 'relay', 'v1', 'relay.proto')];
    } catch {
      return [];
    }
  })();
  const candidates = [...built, fileURLToPath(new URL('../../src/relay/relay.proto', import.meta.url))];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`Cannot find relay.proto (looked in ${candidates.join(', ')}).`);
  return found;
}

export function relayTypes(): RelayTypes {
  if (types) return types;
  const root = new protobuf.Root();
  root.loadSync(relayProtoFile(), { keepCase: false });
  root.resolveAll();
  const at = (name: string) => root.lookupType(`meshlog.relay.v1.${name}`);
  types = { AgentMessage: at('AgentMessage'), ServerMessage: at('ServerMessage'), Batch: at('Batch'), Entries: at('Entries') };
  return types;
}

const kindEnum = { http: 1, tcp: 2 } as const;
const compressionEnum = { none: 0, gzip: 1, zstd: 2 } as const;
const compressionNames = ['none', 'gzip', 'zstd'] as const;
const toObjectOptions: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true, objects: true, oneofs: false };

export class RelayProtocolError extends Error {
  override readonly name = 'RelayProtocolError';
}

function proxyToWire(p: ProxyIdentity): Record<string, unknown> {
  return {
    nodeId: p.nodeId,
    nodeCluster: p.nodeCluster,
    logName: p.logName,
    flavor: p.flavor,
    proxyType: p.proxyType,
    workloadName: p.workload.name,
    workloadNamespace: p.workload.namespace,
    clusterName: p.workload.clusterName,
    instance: p.instance,
    ip: p.ip,
    labels: p.labels,
    mesh: p.mesh,
    apiVersion: p.apiVersion,
  };
}

function proxyFromWire(w: Record<string, unknown> | null | undefined): ProxyIdentity {
  const s = (k: string) => (typeof w?.[k] === 'string' ? (w[k] as string) : '');
  const flavor = s('flavor');
  return {
    nodeId: s('nodeId'),
    nodeCluster: s('nodeCluster'),
    logName: s('logName'),
    flavor: (flavor === 'istio' || flavor === 'kuma' ? flavor : 'envoy') as ProxyFlavor,
    proxyType: s('proxyType'),
    workload: { name: s('workloadName'), namespace: s('workloadNamespace'), clusterName: s('clusterName') },
    instance: s('instance'),
    ip: s('ip'),
    labels: { ...((w?.['labels'] as Record<string, string> | undefined) ?? {}) },
    mesh: s('mesh'),
    apiVersion: s('apiVersion') === 'v2' ? 'v2' : 'v3',
  };
}

function batchToWire(b: RelayBatch): Record<string, unknown> {
  return {
    sequence: b.sequence,
    proxy: proxyToWire(b.proxy),
    kind: kindEnum[b.kind],
    receivedAtMs: b.receivedAtMs,
    count: b.count,
    compression: compressionEnum[b.compression],
    entries: b.entries,
  };
}

function batchFromWire(w: Record<string, unknown>): RelayBatch {
  const kind = w['kind'] === 1 ? 'http' : w['kind'] === 2 ? 'tcp' : undefined;
  if (!kind) throw new RelayProtocolError(`batch ${String(w['sequence'])}: kind ${String(w['kind'])} is neither HTTP nor TCP`);
  const compression = compressionNames[w['compression'] as number];
  if (!compression) throw new RelayProtocolError(`batch ${String(w['sequence'])}: compression ${String(w['compression'])} is not one this server knows`);
  return {
    sequence: w['sequence'] as number,
    proxy: proxyFromWire(w['proxy'] as Record<string, unknown>),
    kind,
    receivedAtMs: w['receivedAtMs'] as number,
    count: w['count'] as number,
    compression,
    entries: w['entries'] as Uint8Array,
  };
}

/** One batch as it is kept in the agent's buffer and sent: the `AgentMessage` bytes. */
export function encodeBatchMessage(batch: RelayBatch): Uint8Array {
  return relayTypes()
    .AgentMessage.encode({ batch: batchToWire(batch) })
    .finish();
}

export function encodeAgentMessage(message: AgentMessage): Uint8Array {
  const t = relayTypes();
  if ('batch' in message) return encodeBatchMessage(message.batch);
  if ('inventory' in message) {
    const proxies = message.inventory.proxies.map((p) => ({
      proxy: proxyToWire(p.proxy),
      activeStreams: p.activeStreams,
      entries: p.entries,
      firstSeenMs: p.firstSeenMs,
      lastSeenMs: p.lastSeenMs,
    }));
    return t.AgentMessage.encode({ inventory: { proxies } }).finish();
  }
  return t.AgentMessage.encode(message).finish();
}

export function decodeAgentMessage(bytes: Uint8Array): AgentMessage {
  const t = relayTypes();
  let o: Record<string, unknown>;
  try {
    o = t.AgentMessage.toObject(t.AgentMessage.decode(bytes), toObjectOptions);
  } catch (err) {
    throw new RelayProtocolError(`an agent message does not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (o['hello']) return { hello: o['hello'] as { agentId: string; cluster: string; version: string } };
  if (o['batch']) return { batch: batchFromWire(o['batch'] as Record<string, unknown>) };
  if (o['inventory']) {
    const list = ((o['inventory'] as { proxies?: Array<Record<string, unknown>> }).proxies ?? []).map((p) => ({
      proxy: proxyFromWire(p['proxy'] as Record<string, unknown>),
      activeStreams: p['activeStreams'] as number,
      entries: p['entries'] as number,
      firstSeenMs: p['firstSeenMs'] as number,
      lastSeenMs: p['lastSeenMs'] as number,
    }));
    return { inventory: { proxies: list } };
  }
  throw new RelayProtocolError('an agent message carries nothing this server knows');
}

export function encodeServerMessage(message: ServerMessage): Uint8Array {
  return relayTypes().ServerMessage.encode(message).finish();
}

export function decodeServerMessage(bytes: Uint8Array): ServerMessage {
  const t = relayTypes();
  const o = t.ServerMessage.toObject(t.ServerMessage.decode(bytes), toObjectOptions) as Record<string, never>;
  for (const key of ['welcome', 'resources', 'ack', 'refused'] as const) if (o[key]) return { [key]: o[key] } as unknown as ServerMessage;
  throw new RelayProtocolError('a server message carries nothing this agent knows');
}

let zstd: Compressor | undefined;

/**
 * Packs a batch's encoded entries into an `Entries` message, compressed. zstd at level 1 is as
 * small as gzip at its default level and several times faster on these entries (`npm run bench`
 * measures both); gzip, when an agent is told to use it, at level 1, its fastest.
 */
export function packEntries(encoded: readonly Uint8Array[], compression: Compression): Uint8Array {
  const bytes = relayTypes().Entries.encode({ entry: encoded }).finish();
  if (compression === 'gzip') return gzipSync(bytes, { level: 1 });
  if (compression === 'zstd') {
    if (!zstd) {
      // One context per thread, reused: setting one up costs more than compressing a small batch.
      zstd = new Compressor();
      zstd.setParameters({ compressionLevel: 1 });
    }
    return zstd.compress(bytes);
  }
  return bytes;
}

/** The encoded entries of a batch; throws `RelayProtocolError` when they do not decompress or decode. */
export function unpackEntries(batch: Pick<RelayBatch, 'entries' | 'compression' | 'sequence'>): Uint8Array[] {
  try {
    const bytes =
      batch.compression === 'gzip'
        ? gunzipSync(batch.entries, { maxOutputLength: 256 * 1024 * 1024 })
        : batch.compression === 'zstd'
          ? zstdDecompress(batch.entries)
          : batch.entries;
    return (relayTypes().Entries.decode(bytes) as unknown as { entry: Uint8Array[] }).entry;
  } catch (err) {
    throw new RelayProtocolError(`batch ${batch.sequence}: its entries do not unpack (${err instanceof Error ? err.message : String(err)})`);
  }
}
