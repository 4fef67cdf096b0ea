/**
 * The logs table, virtualised with `@tanstack/virtual-core`: only the rows in sight (and a few
 * around) are in the DOM, whatever the number kept. Newest at the bottom, like `tail -f`: while
 * scrolled to the end the table follows new rows; scrolled up, what is in sight stays put.
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { EntryRow } from '../../data/entry-row.js';
import { endName } from '../../data/entry-row.js';
import { clock, millis } from '../../ui/format.js';

const rowHeight = 24;

export function LogTable(props: { rows: readonly EntryRow[]; selected: number | null; onSelect: (row: EntryRow) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const rowsRef = useRef(props.rows);
  rowsRef.current = props.rows;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const options = {
    count: props.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    getItemKey: (i: number) => rowsRef.current[i]?.seq ?? i,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => rerender(0),
    overscan: 12,
    anchorTo: 'end' as const,
    followOnAppend: true,
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLDivElement, HTMLDivElement>(options));
  virtualizer.setOptions(options);
  useLayoutEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());

  return (
    <div class="log-table" role="table" aria-label="access log entries" aria-rowcount={props.rows.length}>
      <div class="log-row log-head" role="row">
        <span role="columnheader">time</span>
        <span role="columnheader">cluster</span>
        <span role="columnheader">dir</span>
        <span role="columnheader">source → destination</span>
        <span role="columnheader">request</span>
        <span role="columnheader">status</span>
        <span role="columnheader">flags</span>
        <span role="columnheader">duration</span>
        <span role="columnheader">reason</span>
      </div>
      <div class="log-scroll" ref={scroller} data-testid="log-scroll">
        <div style={{ height: `${virtualizer.getTotalSize()}px`, position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = props.rows[item.index];
            if (!row) return null;
            return (
              <div
                key={row.seq}
                role="row"
                data-seq={row.seq}
                data-status={row.status ?? ''}
                data-workload={row.workload}
                class={`log-row${row.failed ? ' failed' : ''}${props.selected === row.seq ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)` }}
                tabIndex={0}
                onClick={() => props.onSelect(row)}
                onKeyDown={(e) => e.key === 'Enter' && props.onSelect(row)}
              >
                <span role="cell">{clock(row.timeMs)}</span>
                <span role="cell">{row.cluster}</span>
                <span role="cell">{row.direction === 'inbound' ? 'in' : row.direction === 'outbound' ? 'out' : ''}</span>
                <span role="cell" title={`${row.workload} (${row.instance})`}>
                  {endName(row.source, 'source')} → {endName(row.destination)}
                </span>
                <span role="cell" title={row.path}>
                  {row.kind === 'tcp' ? 'TCP' : `${row.method} ${row.path}`}
                </span>
                <span role="cell" class="status">
                  {row.status ?? ''}
                </span>
                <span role="cell" class="flags">
                  {row.flags.join(',')}
                </span>
                <span role="cell">{millis(row.durationMs)}</span>
                <span role="cell" title={row.reason || row.details}>
                  {row.reason}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
