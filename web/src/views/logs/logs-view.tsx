/**
 * The logs view: the filters of `meshlog logs` (kept in the URL), a live tail with pause and
 * resume, the virtualised table, and the detail of the entry clicked.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { EntryRow } from '../../data/entry-row.js';
import { navigate, pathWith, type Route } from '../../router.js';
import { ErrorBox } from '../../ui/common.js';
import { count, rate } from '../../ui/format.js';
import { EntryDetail } from './entry-detail.js';
import { apiParams, defaultBackfill, filterFields, filtersFrom } from './filters.js';
import { LogTable } from './log-table.js';
import { createTail, type Tail, tailCapacity } from './tail.js';

export function LogsView({ route }: { route: Route }) {
  const filters = useMemo(() => filtersFrom(route.params), [route.params.toString()]);
  const query = useMemo(() => {
    const q = apiParams(filters);
    if (!q.has('limit')) q.set('limit', String(defaultBackfill));
    return q;
  }, [filters]);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const tail = useRef<Tail | null>(null);
  const [selected, setSelected] = useState<EntryRow | null>(null);

  useEffect(() => {
    const t = createTail(query, () => rerender(0));
    tail.current = t;
    setSelected(null);
    return () => t.close();
  }, [query.toString()]);

  const snap = tail.current?.snapshot();
  const firstRows = useRef(false);
  useEffect(() => {
    // What the page costs: the time from navigation to the first rows on screen (see the docs).
    if (!firstRows.current && snap && snap.rows.length > 0) {
      firstRows.current = true;
      performance.mark('meshlog:first-rows');
    }
  });
  const close = useCallback(() => setSelected(null), []);

  return (
    <div class="logs-view">
      <FilterForm filters={filters} />
      <div class="toolbar" role="toolbar" aria-label="live tail">
        {snap && snap.status !== 'done' && (
          <button type="button" onClick={() => (snap.paused ? tail.current?.resume() : tail.current?.pause())}>
            {snap.paused ? 'Resume' : 'Pause'}
          </button>
        )}
        <span class={`tail-status ${snap?.status ?? ''}`} data-testid="tail-status">
          {snap?.paused ? 'paused' : snap?.status}
        </span>
        <span data-testid="row-count">{count(snap?.rows.length ?? 0)} entries</span>
        {snap && snap.status !== 'done' && <span>{rate(snap.perSecond)}/s</span>}
        {snap && snap.waiting > 0 && <span data-testid="waiting">{count(snap.waiting)} new while paused</span>}
        {snap && snap.lost > 0 && <span class="bad">{count(snap.lost)} not delivered (the page fell behind)</span>}
        {snap && snap.rows.length >= tailCapacity && <span class="muted">newest {count(tailCapacity)} kept</span>}
      </div>
      <ErrorBox error={snap?.error} />
      <div class="logs-body">
        <LogTable rows={snap?.rows ?? []} selected={selected?.seq ?? null} onSelect={setSelected} />
        {selected && <EntryDetail row={selected} onClose={close} />}
      </div>
    </div>
  );
}

function FilterForm({ filters }: { filters: Record<string, string> }) {
  const [values, setValues] = useState(filters);
  useEffect(() => setValues(filters), [filters]);
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(pathWith('/logs', values));
  };
  return (
    <form class="filters" onSubmit={apply} aria-label="filters">
      {filterFields.map((f) => (
        <label key={f.param} title={`meshlog logs ${f.flag}`}>
          <span>{f.param}</span>
          <input
            name={f.param}
            value={values[f.param] ?? ''}
            placeholder={f.placeholder}
            onInput={(e) => setValues({ ...values, [f.param]: (e.target as HTMLInputElement).value })}
          />
        </label>
      ))}
      <button type="submit">Apply</button>
      <button type="button" onClick={() => navigate('/logs')}>
        Clear
      </button>
    </form>
  );
}
