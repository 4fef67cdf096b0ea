/**
 * One entry opened from the table: what failed and why, in words (the response flags, the upstream
 * failure reason), links to the request's other hops and to the edge's failures, and the entry
 * exactly as the API sent it (proto3 JSON).
 */
import { useEffect } from 'preact/hooks';
import { type EntryRow, endName } from '../../data/entry-row.js';
import { flagWords } from '../../data/flags.js';
import { pathWith } from '../../router.js';
import { Link } from '../../ui/common.js';
import { dateTime, millis } from '../../ui/format.js';

export function EntryDetail({ row, onClose }: { row: EntryRow; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);
  const json = JSON.stringify(JSON.parse(row.text), null, 2);
  return (
    <aside class="detail" aria-label="entry detail">
      <header>
        <h2>
          {endName(row.source, 'source')} → {endName(row.destination)}
          {row.status !== null && <span class={row.failed ? 'bad' : 'good'}> {row.status}</span>}
        </h2>
        <button type="button" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      <dl class="facts">
        <dt>when</dt>
        <dd>{dateTime(row.timeMs)}</dd>
        <dt>reported by</dt>
        <dd>
          {row.cluster}/{row.namespace}/{row.workload} ({row.direction ?? 'direction unknown'}, {row.instance})
        </dd>
        {row.kind === 'http' && (
          <>
            <dt>request</dt>
            <dd>
              {row.method} {row.authority}
              {row.path}
            </dd>
          </>
        )}
        <dt>duration</dt>
        <dd>{millis(row.durationMs)}</dd>
        {row.upstreamCluster && (
          <>
            <dt>upstream cluster</dt>
            <dd>{row.upstreamCluster}</dd>
          </>
        )}
        {row.attempts > 1 && (
          <>
            <dt>attempts</dt>
            <dd>{row.attempts} (retried)</dd>
          </>
        )}
      </dl>
      {row.flags.length > 0 && (
        <section class="flags-explained" aria-label="response flags">
          <h3>Response flags</h3>
          <ul>
            {row.flags.map((f) => (
              <li key={f}>
                <code>{f}</code>: {flagWords(f)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {(row.reason || (row.failed && row.details)) && (
        <section aria-label="failure reason">
          <h3>Why</h3>
          {row.reason && (
            <p>
              upstream transport failure: <strong>{row.reason}</strong>
            </p>
          )}
          {row.details && <p>response code details: {row.details}</p>}
        </section>
      )}
      <p class="links">
        {row.requestId && (
          <Link to={pathWith(`/requests/${encodeURIComponent(row.requestId)}`, { at: new Date(row.timeMs).toISOString() })}>trace this request</Link>
        )}
        {row.failed && <Link to="/failures">failures by edge</Link>}
      </p>
      <h3>Entry (proto3 JSON)</h3>
      <pre class="json">{json}</pre>
    </aside>
  );
}
