/**
 * One request across every proxy it passed: the entries that share an `x-request-id`, arranged as
 * hops. Each hop is a call from one workload to another: the caller's sidecar logs it as outbound,
 * the callee's as inbound (once per attempt that reached it). From the pair:
 *
 * - time in the caller (its outbound duration) vs in the callee (its inbound duration): the
 *   difference is what the network and mTLS between them cost;
 * - retries: Envoy's attempt count on the caller's side and the `URX` flag;
 * - where it failed and why: in the callee (it answered 5xx), or between the two (the callee never
 *   saw the request: a connection or TLS failure, with Envoy's reason).
 *
 * Hops nest: a hop whose caller is the callee of an earlier hop is its child. Pure: items in
 * (`/api/v1` items), a trace out; `GET /api/v1/requests/{id}` serves it and `meshlog trace` prints it.
 */
import { responseFlags } from '../envoy/response-flags.js';
import type { EntryEnd } from '../model/entry.js';

/** An end as `/api/v1` items print it (`endJson`): the model's `EntryEnd` without its unknown (null) fields. */
export type TraceEnd = { readonly [K in keyof EntryEnd]?: NonNullable<EntryEnd[K]> };

/** The parts of an `/api/v1` item a trace reads. */
export interface TraceItem {
  readonly startTime: string;
  readonly direction?: 'inbound' | 'outbound';
  readonly workloadRef?: { readonly name?: string; readonly namespace?: string; readonly clusterName?: string };
  readonly source?: TraceEnd;
  readonly destination?: TraceEnd;
  readonly httpAccessLog?: {
    readonly commonProperties?: Common;
    readonly request?: { readonly requestMethod?: string; readonly path?: string; readonly authority?: string };
    readonly response?: { readonly responseCode?: number; readonly responseCodeDetails?: string };
  };
  readonly tcpAccessLog?: { readonly commonProperties?: Common };
}

interface Common {
  readonly startTime?: string;
  readonly duration?: string;
  readonly timeToLastDownstreamTxByte?: string;
  readonly responseFlags?: Record<string, unknown>;
  readonly upstreamTransportFailureReason?: string;
  readonly upstreamRequestAttemptCount?: number;
}

export interface Failure {
  /** `callee`: it answered with an error; `network`: the request never reached it (or its answer never came back); `caller`: the caller's proxy refused or gave up. */
  readonly where: 'caller' | 'network' | 'callee';
  readonly why: string;
}

export interface Hop {
  readonly index: number;
  /** The hop this one was made for (its caller is that hop's callee), or null. */
  readonly parent: number | null;
  readonly depth: number;
  readonly from: TraceEnd;
  readonly to: TraceEnd;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  /** Milliseconds after the trace's first entry started. */
  readonly offsetMs: number;
  readonly callerMs?: number;
  readonly calleeMs?: number;
  /** Caller minus callee: the network and mTLS, both ways. */
  readonly networkMs?: number;
  readonly attempts: number;
  readonly flags: readonly string[];
  readonly failure?: Failure;
  readonly outbound: TraceItem | null;
  readonly inbound: readonly TraceItem[];
}

export interface RequestTrace {
  readonly requestId: string;
  readonly entries: number;
  readonly clusters: readonly string[];
  readonly hops: readonly Hop[];
  /** The deepest failed hop: where the failure started. */
  readonly failedHop: number | null;
}

const flagCodes = new Map(responseFlags.filter((f) => f.field !== null).map((f) => [f.field!, f]));

function commonOf(item: TraceItem): Common {
  return (item.httpAccessLog ?? item.tcpAccessLog)?.commonProperties ?? {};
}

function startMs(item: TraceItem): number {
  return timestampMs(commonOf(item).startTime ?? item.startTime);
}

/** Milliseconds since the epoch with the sub-millisecond digits of a proto3 JSON Timestamp. */
function timestampMs(text: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(text);
  if (!m) return Date.parse(text);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

function durationOf(item: TraceItem): number | undefined {
  const c = commonOf(item);
  const text = c.duration ?? c.timeToLastDownstreamTxByte;
  return text?.endsWith('s') ? Number(text.slice(0, -1)) * 1000 : undefined;
}

function flagsOf(item: TraceItem): string[] {
  return Object.keys(commonOf(item).responseFlags ?? {}).map((k) => flagCodes.get(k)?.code ?? k);
}

function statusOf(item: TraceItem): number | undefined {
  return item.httpAccessLog?.response?.responseCode;
}

function failed(item: TraceItem): boolean {
  const status = statusOf(item);
  return flagsOf(item).length > 0 || (item.httpAccessLog !== undefined && (status === undefined || status === 0 || status >= 500));
}

/** Does `inbound` record the same call as `outbound`: same caller, same callee, same request line? */
function sameCall(outbound: TraceItem, inbound: TraceItem): boolean {
  const o = outbound.destination ?? {};
  const i = inbound.destination ?? {};
  const callee =
    (o.workload !== undefined && o.workload === i.workload && (o.cluster ?? i.cluster) === (i.cluster ?? o.cluster)) || (o.ip !== undefined && o.ip === i.ip);
  const os = outbound.source ?? {};
  const is = inbound.source ?? {};
  const caller =
    (os.workload !== undefined && os.workload === is.workload) ||
    (os.ip !== undefined && os.ip === is.ip) ||
    (is.workload === undefined && is.ip === undefined);
  const or = outbound.httpAccessLog?.request;
  const ir = inbound.httpAccessLog?.request;
  return callee && caller && or?.path === ir?.path && or?.requestMethod === ir?.requestMethod;
}

function describeFlags(flags: readonly string[]): string {
  return flags.map((code) => responseFlags.find((f) => f.code === code)?.long ?? code).join(', ');
}

function failureOf(outbound: TraceItem | null, inbound: readonly TraceItem[], to: TraceEnd): Failure | undefined {
  const last = inbound.at(-1);
  if (last && failed(last)) {
    const details = last.httpAccessLog?.response?.responseCodeDetails;
    const flags = flagsOf(last);
    const parts = [
      `answered ${statusOf(last) ?? 'nothing'}`,
      flags.length ? describeFlags(flags) : '',
      details && details !== 'via_upstream' ? details : '',
    ].filter(Boolean);
    return { where: 'callee', why: parts.join('; ') };
  }
  if (!outbound || !failed(outbound)) return undefined;
  const c = commonOf(outbound);
  const flags = flagsOf(outbound);
  const reason = c.upstreamTransportFailureReason;
  const callee = to.workload ?? to.service ?? to.ip ?? 'the callee';
  const said = [reason ? `"${reason}"` : '', flags.length ? describeFlags(flags) : '', outbound.httpAccessLog?.response?.responseCodeDetails ?? '']
    .filter(Boolean)
    .join('; ');
  if (inbound.length === 0 && flags.some((f) => ['UF', 'UC', 'UR', 'UT', 'UO', 'UH', 'URX', 'UPE', 'DF'].includes(f)))
    return { where: 'network', why: `never reached ${callee}: ${said}` };
  if (inbound.length > 0)
    return { where: 'network', why: `${callee} answered ${statusOf(last!) ?? '-'}, the caller's proxy reported ${statusOf(outbound) ?? '-'}: ${said}` };
  return { where: 'caller', why: said || `status ${statusOf(outbound) ?? '-'}` };
}

export function buildTrace(requestId: string, items: readonly TraceItem[]): RequestTrace {
  const sorted = [...items].sort((a, b) => startMs(a) - startMs(b));
  const t0 = sorted.length > 0 ? startMs(sorted[0]!) : 0;
  const unpaired = new Set(sorted.filter((i) => i.direction !== 'outbound'));
  const raw: Array<Omit<Hop, 'index' | 'parent' | 'depth'>> = [];
  for (const outbound of sorted.filter((i) => i.direction === 'outbound')) {
    const attempts = commonOf(outbound).upstreamRequestAttemptCount ?? 1;
    const inbound = [...unpaired].filter((i) => i.direction === 'inbound' && sameCall(outbound, i)).slice(0, Math.max(1, attempts));
    for (const i of inbound) unpaired.delete(i);
    raw.push(hopOf(outbound, inbound, t0));
  }
  for (const inbound of unpaired) raw.push(hopOf(null, [inbound], t0));
  raw.sort((a, b) => a.offsetMs - b.offsetMs);
  const hops: Hop[] = [];
  for (const [index, hop] of raw.entries()) {
    // The latest earlier hop whose callee is this hop's caller.
    let parent: Hop | undefined;
    for (const earlier of hops)
      if (
        hop.from.workload &&
        earlier.to.workload === hop.from.workload &&
        (earlier.to.cluster ?? hop.from.cluster) === (hop.from.cluster ?? earlier.to.cluster)
      )
        parent = earlier;
    hops.push({ ...hop, index, parent: parent?.index ?? null, depth: parent ? parent.depth + 1 : 0 });
  }
  const failedHops = hops.filter((h) => h.failure);
  const deepest = failedHops.reduce<Hop | undefined>((best, h) => (best === undefined || h.depth > best.depth ? h : best), undefined);
  const clusters = [...new Set(sorted.map((i) => i.workloadRef?.clusterName).filter((c): c is string => !!c))].sort();
  return { requestId, entries: items.length, clusters, hops, failedHop: deepest?.index ?? null };
}

function hopOf(outbound: TraceItem | null, inbound: readonly TraceItem[], t0: number): Omit<Hop, 'index' | 'parent' | 'depth'> {
  const first = outbound ?? inbound[0]!;
  const last = inbound.at(-1);
  // Each side knows its own end best: the caller's proxy the caller, the callee's the callee.
  const from = { ...withoutEmpty(last?.source), ...withoutEmpty(outbound?.source) };
  const to = { ...withoutEmpty(outbound?.destination), ...withoutEmpty(last?.destination) };
  const callerMs = outbound ? durationOf(outbound) : undefined;
  const calleeMs = last ? durationOf(last) : undefined;
  const request = first.httpAccessLog?.request;
  return {
    from,
    to,
    method: request?.requestMethod,
    path: request?.path,
    status: outbound ? statusOf(outbound) : last ? statusOf(last) : undefined,
    offsetMs: round(startMs(first) - t0),
    callerMs: callerMs === undefined ? undefined : round(callerMs),
    calleeMs: calleeMs === undefined ? undefined : round(calleeMs),
    networkMs: callerMs !== undefined && calleeMs !== undefined ? round(callerMs - calleeMs) : undefined,
    attempts: outbound ? (commonOf(outbound).upstreamRequestAttemptCount ?? 1) : inbound.length,
    flags: [...new Set([...(outbound ? flagsOf(outbound) : []), ...inbound.flatMap(flagsOf)])],
    failure: failureOf(outbound, inbound, to),
    outbound,
    inbound,
  };
}

function withoutEmpty(end: TraceEnd | undefined): TraceEnd {
  return Object.fromEntries(Object.entries(end ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
