/**
 * How `meshlog logs` prints items: `compact` (one edge per line), `wide` (plus direction, details,
 * upstream and request id), `json` (the API item, one per line), `yaml` (documents), `table`
 * (aligned columns, for a bounded list) and `--template` (fields of the item, as stern's
 * `--template` picks fields of a log line: `{{.destination.workload}} {{.httpAccessLog.request.requestId}}`).
 */
import { stringify } from 'yaml';
import type { Paint } from './color.js';
import { table } from './config.js';
import { commonOf, durationMs, edge, flagsOf, formatLine, type V1Item } from './format-compact.js';
import { formatTime, type TimeFormat } from './time-format.js';

export const outputFormats = ['compact', 'wide', 'json', 'yaml', 'table'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface Printer {
  /** Text for one item, newline included; for `table`, nothing until `end`. */
  item(item: unknown): string;
  end(): string;
}

export function createPrinter(format: OutputFormat, options: { paint: Paint; timeFormat: TimeFormat; template?: string }): Printer {
  if (options.template !== undefined) {
    const render = compileTemplate(options.template);
    return { item: (i) => `${render(i)}\n`, end: () => '' };
  }
  let documents = 0;
  const rows: string[][] = [];
  switch (format) {
    case 'json':
      return { item: (i) => `${JSON.stringify(i)}\n`, end: () => '' };
    case 'yaml':
      return { item: (i) => `${documents++ > 0 ? '---\n' : ''}${stringify(i, { lineWidth: 0 })}`, end: () => '' };
    case 'table':
      return {
        item(i) {
          rows.push(tableRow(i as V1Item, options.timeFormat));
          return '';
        },
        end: () =>
          rows.length === 0 ? '' : table([['TIME', 'CLUSTER', 'SOURCE → DESTINATION', 'REQUEST', 'STATUS', 'FLAGS', 'DURATION', 'REQUEST ID'], ...rows]),
      };
    default:
      return { item: (i) => `${formatLine(i, { paint: options.paint, timeFormat: options.timeFormat, wide: format === 'wide' })}\n`, end: () => '' };
  }
}

function tableRow(it: V1Item, timeFormat: TimeFormat): string[] {
  const common = commonOf(it);
  const http = it.httpAccessLog;
  const duration = durationMs(common.duration ?? common.timeToLastDownstreamTxByte);
  return [
    formatTime(common.startTime ?? it.startTime, timeFormat),
    it.workloadRef?.clusterName ?? '-',
    edge(it),
    http ? `${http.request?.requestMethod ?? '-'} ${http.request?.path ?? ''}` : 'TCP',
    http ? String(http.response?.responseCode ?? '-') : '-',
    flagsOf(it).join(',') || '-',
    duration === undefined ? '-' : `${duration}ms`,
    http?.request?.requestId ?? '-',
  ];
}

/**
 * `{{.a.b}}` placeholders, each replaced by that field of the item (`<no value>` when absent, as Go
 * templates print it; objects as JSON). Anything else between braces is refused up front.
 */
export function compileTemplate(template: string): (item: unknown) => string {
  const placeholder = /\{\{\s*([^}]*?)\s*\}\}/g;
  for (const m of template.matchAll(placeholder)) {
    if (!/^\.[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(m[1]!))
      throw new Error(`--template: "{{${m[1]}}}" is not a field path like {{.httpAccessLog.request.path}}`);
  }
  const text = template.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  return (item) =>
    text.replace(placeholder, (_, path: string) => {
      let at: unknown = item;
      for (const key of path.slice(1).split('.')) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
      if (at === undefined || at === null) return '<no value>';
      return typeof at === 'object' ? JSON.stringify(at) : String(at);
    });
}
