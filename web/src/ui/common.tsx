/**
 * Small pieces every view uses: links that stay inside the page, an error box, the time-range
 * picker, a block of JSON, and a hook that reloads a view's data on an interval.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { href } from '../router.js';

export function Link(props: { to: string; class?: string; title?: string; children: ComponentChildren }) {
  return (
    <a href={href(props.to)} class={props.class} title={props.title}>
      {props.children}
    </a>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      {message}
      {error instanceof ApiError && error.violations.length > 0 && (
        <ul>
          {error.violations.map((v) => (
            <li key={v.field}>
              <code>{v.field}</code>: {v.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The ranges the time-range pickers offer, as the API's `since` takes them. */
export const ranges = ['5m', '15m', '1h', '6h', '24h'] as const;

export function rangeMs(text: string): number {
  const m = /^(\d+)([mh])$/.exec(text);
  return m ? Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 60_000) : 15 * 60_000;
}

export function RangePicker(props: { value: string; onChange: (value: string) => void }) {
  return (
    <label class="range">
      last{' '}
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)} name="since">
        {ranges.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: unknown;
  readonly loading: boolean;
}

/**
 * Runs `load` now and every `everyMs` (0: once) until the inputs in `deps` change or the view goes;
 * a run still going when the next is due is aborted.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let controller: AbortController | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: null, error: null, loading: true });
    const run = async () => {
      controller?.abort();
      controller = new AbortController();
      try {
        const data = await loadRef.current(controller.signal);
        if (!stopped) setState({ data, error: null, loading: false });
      } catch (error) {
        if (!stopped && !controller.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      }
      if (!stopped && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    };
  }, deps);
  return state;
}
