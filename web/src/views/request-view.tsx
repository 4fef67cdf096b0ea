/**
 * The request view: one request id as a chain of hops across proxies and clusters. Each hop is a
 * call: the caller's outbound entry beside the callee's inbound one, with the time each side
 * measured (their difference is the network and mTLS), retries, and where and why it failed.
 */
import { edgeLabel, type Hop } from '../data/analysis.js';
import type { EntryRow } from '../data/entry-row.js';
import { flagsInWords } from '../data/flags.js';
import { loadRequest } from '../data/sources.js';
import type { Route } from '../router.js';
import { ErrorBox, usePolling } from '../ui/common.js';
import { count, dateTime, millis } from '../ui/format.js';

export function RequestView({ route }: { route: Route }) {
  const id = route.id ?? '';
  const atText = route.params.get('at');
  const at = atText !== null && !Number.isNaN(Date.parse(atText)) ? Date.parse(atText) : null;
  const { data, error, loading } = usePolling((signal) => loadRequest(id, at, signal), 0, [id, at]);
  const start = data?.hops.length ? Math.min(...data.hops.map((h) => h.startMs)) : 0;
  const end = data?.hops.length ? Math.max(...data.hops.map((h) => h.startMs + spanMs(h))) : 0;
  return (
    <div class="page">
      <header class="page-head">
        <h1>
          Request <code>{id}</code>
        </h1>
        {data && data.hops.length > 0 && (
          <span class="muted">
            {dateTime(start)}, {data.rows.length} entries from {new Set(data.rows.map((r) => r.instance)).size} proxies
          </span>
        )}
      </header>
      <ErrorBox error={error} />
      {loading && <p class="muted">Looking for the request…</p>}
      {data && data.hops.length === 0 && (
        <p>
          No entry carries this request id among the {count(data.searched)} {at === null ? 'latest entries' : 'entries of the minute around it'}
          {data.complete ? '' : ' searched'}. Entries are kept only when an <code>AccessLogRecord</code> selects them.
        </p>
      )}
      {data && data.hops.length > 0 && (
        <ol class="hops" aria-label="hops">
          {data.hops.map((h, i) => (
            <HopItem key={i} hop={h} start={start} span={Math.max(end - start, 1)} />
          ))}
        </ol>
      )}
    </div>
  );
}

function spanMs(h: Hop): number {
  return Math.max(h.outbound?.durationMs ?? 0, h.inbound?.durationMs ?? 0);
}

function HopItem({ hop, start, span }: { hop: Hop; start: number; span: number }) {
  const main = hop.outbound ?? hop.inbound!;
  const caller = hop.outbound?.durationMs ?? null;
  const callee = hop.inbound?.durationMs ?? null;
  const failed = (hop.outbound?.failed ?? false) || (hop.inbound?.failed ?? false);
  return (
    <li class={`hop${failed ? ' failed' : ''}`} style={{ marginLeft: `${hop.depth * 1.5}rem` }} data-edge={edgeLabel(hop.edge)}>
      <div class="hop-head">
        <strong>{edgeLabel(hop.edge)}</strong>
        <span>{main.kind === 'tcp' ? 'TCP' : `${main.method} ${main.authority}${main.path}`}</span>
        <span class={failed ? 'bad' : 'good'}>{main.status ?? ''}</span>
        <span class="muted">+{millis(hop.startMs - start)}</span>
      </div>
      <div class="waterfall" aria-hidden="true">
        <div class="bar" style={{ left: `${((hop.startMs - start) / span) * 100}%`, width: `${Math.max(((caller ?? callee ?? 0) / span) * 100, 0.5)}%` }} />
      </div>
      <div class="sides">
        <Side label="caller (outbound)" row={hop.outbound} missing="the caller's proxy did not report it (no sidecar, or not selected)" />
        <Side label="callee (inbound)" row={hop.inbound} missing={hop.outbound?.failed ? 'never reached the callee' : "the callee's proxy did not report it"} />
      </div>
      {caller !== null && callee !== null && (
        <p class="muted">
          {millis(caller)} at the caller, {millis(callee)} at the callee: {millis(Math.max(0, caller - callee))} between the proxies (network and mTLS)
        </p>
      )}
    </li>
  );
}

function Side({ label, row, missing }: { label: string; row: EntryRow | null; missing: string }) {
  return (
    <div class="side" data-side={label.startsWith('caller') ? 'outbound' : 'inbound'}>
      <div class="muted">{label}</div>
      {row ? (
        <>
          <div>
            {row.cluster}/{row.namespace}/{row.workload} <span class="muted">{row.instance}</span>
          </div>
          <div>
            {row.status ?? ''} {millis(row.durationMs)}
            {row.attempts > 1 && <span class="bad"> · {row.attempts} attempts</span>}
            {row.upstreamCluster && <span class="muted"> · {row.upstreamCluster}</span>}
          </div>
          {row.flags.length > 0 && <div class="bad">{flagsInWords(row.flags)}</div>}
          {row.reason && <div class="bad">{row.reason}</div>}
        </>
      ) : (
        <div class="muted">{missing}</div>
      )}
    </div>
  );
}
