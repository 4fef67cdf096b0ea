/**
 * Proxies and policies: the inventory (`GET /api/v1/proxies`), and for one proxy the rules that
 * apply as `meshlog inspect` shows them, the same as JSON, and the Envoy configuration rendered for
 * it (`GET /api/v1/proxies/{id}/envoy`, the three views of `meshlog render`).
 */
import { useState } from 'preact/hooks';
import { getJson, getText } from '../api/client.js';
import { navigate, pathWith, type Route } from '../router.js';
import { ErrorBox, Json, Link, usePolling } from '../ui/common.js';
import { ago, count } from '../ui/format.js';

interface ProxyItem {
  readonly id: string;
  readonly origin: string;
  readonly name: string;
  readonly type: string;
  readonly address?: string;
  readonly zone?: string;
  readonly flavor?: string;
  readonly workloadRef?: { name?: string; namespace?: string; clusterName?: string };
  readonly activeStreams?: number;
  readonly entries?: number;
  readonly lastSeen?: string;
}

export function ProxiesView({ route }: { route: Route }) {
  return route.id === null ? <ProxyList route={route} /> : <ProxyDetail id={route.id} route={route} />;
}

function ProxyList({ route }: { route: Route }) {
  const filter = route.params.get('q') ?? '';
  const { data, error } = usePolling((signal) => getJson<{ items: ProxyItem[] }>('/api/v1/proxies', signal), 5000, []);
  const shown = (data?.items ?? []).filter((p) => filter === '' || `${p.id} ${p.name} ${p.workloadRef?.name ?? ''} ${p.zone ?? ''}`.includes(filter));
  return (
    <div class="page">
      <header class="page-head">
        <h1>Proxies</h1>
        <input
          type="search"
          name="q"
          placeholder="filter by name, workload, cluster"
          value={filter}
          onInput={(e) => navigate(pathWith('/proxies', { q: (e.target as HTMLInputElement).value }), { replace: true })}
        />
        {data && <span class="muted">{count(data.items.length)} proxies</span>}
      </header>
      <ErrorBox error={error} />
      <table class="grid proxies" aria-label="proxies">
        <thead>
          <tr>
            <th>proxy</th>
            <th>cluster</th>
            <th>namespace / workload</th>
            <th>flavour</th>
            <th>origin</th>
            <th class="num">streams</th>
            <th class="num">entries</th>
            <th>last seen</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((p) => (
            <tr key={p.id} data-proxy={p.id}>
              <td>
                <Link to={`/proxies/${encodeURIComponent(p.id)}`} title={p.id}>
                  {p.name}
                </Link>
              </td>
              <td>{p.workloadRef?.clusterName ?? p.zone ?? ''}</td>
              <td>{p.workloadRef ? `${p.workloadRef.namespace ?? ''}/${p.workloadRef.name ?? ''}` : ''}</td>
              <td>{[p.flavor, p.type].filter(Boolean).join(' ')}</td>
              <td>{p.origin}</td>
              <td class="num">{p.activeStreams ?? ''}</td>
              <td class="num">{p.entries !== undefined ? count(p.entries) : ''}</td>
              <td>{p.lastSeen ? ago(Date.parse(p.lastSeen)) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const envoyViews = ['access-logs', 'bootstrap', 'istio'] as const;

function ProxyDetail({ id, route }: { id: string; route: Route }) {
  const base = `/api/v1/proxies/${encodeURIComponent(id)}`;
  const view = envoyViews.find((v) => v === route.params.get('view')) ?? 'access-logs';
  const [showJson, setShowJson] = useState(false);
  const text = usePolling((signal) => getText(`${base}/policies?format=text`, signal), 0, [id]);
  const json = usePolling((signal) => getJson<unknown>(`${base}/policies`, signal), 0, [id]);
  const envoy = usePolling((signal) => getJson<unknown>(`${base}/envoy?view=${view}`, signal), 0, [id, view]);
  return (
    <div class="page">
      <header class="page-head">
        <h1>
          <Link to="/proxies">Proxies</Link> / <span title={id}>{id}</span>
        </h1>
      </header>
      <section aria-label="policies">
        <h2>What applies (as meshlog inspect shows it)</h2>
        <ErrorBox error={text.error} />
        {text.data !== null && <pre class="inspect">{text.data}</pre>}
        <button type="button" onClick={() => setShowJson(!showJson)}>
          {showJson ? 'Hide' : 'Show'} as JSON
        </button>
        {showJson && (json.error ? <ErrorBox error={json.error} /> : <Json value={json.data} />)}
      </section>
      <section aria-label="envoy config">
        <h2>Envoy configuration</h2>
        <p>
          {envoyViews.map((v) => (
            <span key={v}>{v === view ? <strong>{v}</strong> : <Link to={pathWith(`/proxies/${encodeURIComponent(id)}`, { view: v })}>{v}</Link>} </span>
          ))}
          <span class="muted"> (as meshlog render prints it)</span>
        </p>
        <ErrorBox error={envoy.error} />
        {envoy.data !== null && <Json value={envoy.data} />}
      </section>
    </div>
  );
}
