/**
 * The filters of the logs view: the same as `meshlog logs`, under the names `GET /api/v1/logs`
 * gives them, so a view's query string is also an API query (`/logs?status=5xx&flags=UF`).
 * Repeatable filters take comma-separated lists, as the API does.
 */

export interface FilterField {
  /** The URL and API parameter. */
  readonly param: string;
  /** The `meshlog logs` flag that does the same. */
  readonly flag: string;
  readonly placeholder: string;
}

export const filterFields: readonly FilterField[] = [
  { param: 'since', flag: '--since', placeholder: '15m, 2h or RFC 3339' },
  { param: 'until', flag: '--until', placeholder: 'RFC 3339 (stops the live tail)' },
  { param: 'cluster', flag: '--cluster', placeholder: 'remote-cluster' },
  { param: 'namespace', flag: '--namespace', placeholder: 'bookinfo' },
  { param: 'workload', flag: '--workload', placeholder: 'productpage-v1' },
  { param: 'label', flag: '--selector', placeholder: 'app=reviews' },
  { param: 'status', flag: '--status', placeholder: '503, 5xx, 500-599' },
  { param: 'method', flag: '--method', placeholder: 'GET' },
  { param: 'path', flag: '--path', placeholder: '/ratings (prefix)' },
  { param: 'pathRegex', flag: '--path-regex', placeholder: '^/reviews/[0-9]+$' },
  { param: 'flags', flag: '--flags', placeholder: 'UF, URX or any' },
  { param: 'minDuration', flag: '--min-duration', placeholder: '250ms' },
  { param: 'kind', flag: '(API only)', placeholder: 'http or tcp' },
];

/** How many of the latest entries the tail starts with (`limit`, the CLI's `--last`). */
export const defaultBackfill = 500;

/** The filters in a view's query string, one text per field (repeated parameters joined with commas). */
export function filtersFrom(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of filterFields) {
    const values = params.getAll(f.param);
    if (values.length) out[f.param] = values.join(',');
  }
  const limit = params.get('limit');
  if (limit !== null) out['limit'] = limit;
  return out;
}

/** The API query of a filter set: only the filters given, trimmed. */
export function apiParams(filters: Record<string, string>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v.trim() !== '') params.set(k, v.trim());
  return params;
}
