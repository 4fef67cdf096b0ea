/**
 * The overview: the golden signals (requests per second, error rate, p50/p95/p99 duration) per
 * workload or per edge over a chosen range, as charts and a table, and the service map.
 */
import { useMemo } from 'preact/hooks';
import type { GroupBy } from '../data/analysis.js';
import { createSignalsSource, maxWindowEntries } from '../data/sources.js';
import { navigate, pathWith, type Route } from '../router.js';
import { ErrorBox, RangePicker, rangeMs, usePolling } from '../ui/common.js';
import { count, millis, percent, rate } from '../ui/format.js';
import { ServiceMap } from '../ui/service-map.js';
import { TimeChart } from '../ui/time-chart.js';

/** Series drawn per chart; the table lists every group. */
const chartedGroups = 8;
const bucketCount = 60;

export function OverviewView({ route }: { route: Route }) {
  const since = route.params.get('since') ?? '15m';
  const groupBy: GroupBy = route.params.get('groupBy') === 'edge' ? 'edge' : 'workload';
  const source = useMemo(() => createSignalsSource(), [since]);
  const { data, error, loading } = usePolling(
    (signal) => {
      const untilMs = Date.now();
      return source.load({ sinceMs: untilMs - rangeMs(since), untilMs, bucketCount }, groupBy, signal);
    },
    10_000,
    [source, groupBy],
  );
  const go = (params: Record<string, string>) => navigate(pathWith('/overview', { since, groupBy, ...params }), { replace: true });
  const charted = data?.groups.slice(0, chartedGroups) ?? [];
  return (
    <div class="page">
      <header class="page-head">
        <h1>Overview</h1>
        <RangePicker value={since} onChange={(v) => go({ since: v })} />
        <label>
          per{' '}
          <select name="groupBy" value={groupBy} onChange={(e) => go({ groupBy: (e.target as HTMLSelectElement).value })}>
            <option value="workload">workload</option>
            <option value="edge">edge</option>
          </select>
        </label>
        {data && (
          <span class="muted">
            <span data-testid="entries">{count(data.entries)}</span> HTTP entries
            {data.truncated && ` (the latest ${count(maxWindowEntries)}; the range held more)`}
          </span>
        )}
      </header>
      <ErrorBox error={error} />
      {loading && !data && <p class="muted">Loading…</p>}
      {data && (
        <>
          <div class="charts">
            <TimeChart
              title="requests per second"
              x={data.buckets}
              unit="/s"
              format={rate}
              series={charted.map((g) => ({ label: g.label, values: g.series.perSecond }))}
            />
            <TimeChart
              title="error rate (5xx or response flag)"
              x={data.buckets}
              unit="%"
              format={(v) => (v * 100).toFixed(0)}
              series={charted.map((g) => ({ label: g.label, values: g.series.errorRate }))}
            />
            <TimeChart
              title="p99 duration"
              x={data.buckets}
              unit=" ms"
              format={(v) => v.toFixed(0)}
              series={charted.map((g) => ({ label: g.label, values: g.series.p99 }))}
            />
          </div>
          <table class="grid signals" aria-label={`golden signals per ${groupBy}`}>
            <thead>
              <tr>
                <th>{groupBy}</th>
                <th class="num">requests</th>
                <th class="num">per second</th>
                <th class="num">error rate</th>
                <th class="num">p50</th>
                <th class="num">p95</th>
                <th class="num">p99</th>
              </tr>
            </thead>
            <tbody>
              {data.groups.map((g) => (
                <tr key={g.key} data-group={g.label}>
                  <td>{g.label}</td>
                  <td class="num">{count(g.requests)}</td>
                  <td class="num">{rate(g.perSecond)}</td>
                  <td class={`num${g.errors ? ' bad' : ''}`}>{percent(g.errorRate)}</td>
                  <td class="num">{millis(g.p50)}</td>
                  <td class="num">{millis(g.p95)}</td>
                  <td class="num">{millis(g.p99)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Who calls whom</h2>
          <p class="muted">Edges coloured by error rate: green none, red 10% or more. Width grows with requests per second.</p>
          <div class="map-box">
            <ServiceMap edges={data.edges} />
          </div>
        </>
      )}
    </div>
  );
}
