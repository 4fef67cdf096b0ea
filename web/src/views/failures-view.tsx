/**
 * The failures view: failing calls (5xx or a response flag) grouped by edge, source → destination,
 * and cause: status, response flags in words, and the upstream transport failure reason. One
 * glance answers "what is failing, between whom, and why".
 */
import { useMemo } from 'preact/hooks';
import { edgeLabel } from '../data/analysis.js';
import { flagWords } from '../data/flags.js';
import { createFailuresSource, maxWindowEntries } from '../data/sources.js';
import { navigate, pathWith, type Route } from '../router.js';
import { ErrorBox, Link, RangePicker, rangeMs, usePolling } from '../ui/common.js';
import { ago, count } from '../ui/format.js';

export function FailuresView({ route }: { route: Route }) {
  const since = route.params.get('since') ?? '15m';
  const source = useMemo(() => createFailuresSource(), [since]);
  const { data, error, loading } = usePolling((signal) => source.load(Date.now() - rangeMs(since), signal), 5000, [source]);
  return (
    <div class="page">
      <header class="page-head">
        <h1>Failures</h1>
        <RangePicker value={since} onChange={(v) => navigate(pathWith('/failures', { since: v }), { replace: true })} />
        {data && (
          <span class="muted">
            {count(data.entries)} failing entries
            {data.truncated && ` (the latest ${count(maxWindowEntries)} of each kind; the range held more)`}
          </span>
        )}
      </header>
      <ErrorBox error={error} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && data.groups.length === 0 && <p class="good">No failing calls in the last {since}.</p>}
      {data && data.groups.length > 0 && (
        <table class="grid failures" aria-label="failures by edge and cause">
          <thead>
            <tr>
              <th>source → destination</th>
              <th>status</th>
              <th>flags</th>
              <th>upstream failure reason</th>
              <th class="num">calls</th>
              <th>last</th>
              <th>seen by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.groups.map((g) => {
              const latest = g.latest;
              const logs = pathWith('/logs', {
                cluster: latest.cluster,
                workload: latest.workload,
                status: g.status !== null && g.status >= 500 ? String(g.status) : undefined,
                flags: g.flags.length ? g.flags.join(',') : undefined,
                since,
              });
              return (
                <tr key={`${g.edge.key}|${g.status}|${g.flags.join()}|${g.reason}`} data-edge={edgeLabel(g.edge)}>
                  <td title={`${g.edge.sourceKey} → ${g.edge.destinationKey}`}>
                    <strong>{edgeLabel(g.edge)}</strong>
                    <div class="muted">{[g.edge.source.cluster, g.edge.destination.service].filter(Boolean).join(' · ')}</div>
                  </td>
                  <td class="bad">{g.status ?? '–'}</td>
                  <td>
                    {g.flags.map((f) => (
                      <div key={f}>
                        <code>{f}</code> {flagWords(f)}
                      </div>
                    ))}
                  </td>
                  <td class="reason">{g.reason}</td>
                  <td class="num">{count(g.count)}</td>
                  <td>{ago(g.lastMs)}</td>
                  <td>{seenBy(g.seenBy)}</td>
                  <td>
                    <Link to={logs}>entries</Link>{' '}
                    {latest.requestId && (
                      <Link to={pathWith(`/requests/${encodeURIComponent(latest.requestId)}`, { at: new Date(latest.timeMs).toISOString() })}>a request</Link>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function seenBy(sides: ReadonlySet<'inbound' | 'outbound'>): string {
  if (sides.has('inbound') && sides.has('outbound')) return 'both sides';
  // A call only its caller logged never reached the callee's proxy.
  return sides.has('outbound') ? 'caller only' : sides.has('inbound') ? 'callee only' : '';
}
