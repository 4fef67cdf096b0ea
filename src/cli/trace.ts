/**
 * `meshlog trace REQUEST_ID`: one request across every proxy, as a tree of hops with the time in
 * the caller, in the callee and between them, the retries, and where it failed and why. The
 * request id is in every line of `meshlog logs -o wide`.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { Hop, RequestTrace, TraceEnd } from '../server/request-trace.js';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { type ColorWhen, type Paint, paintFor, useColor } from './color.js';

interface TraceFlags extends ServerFlags {
  output: 'text' | 'json' | 'yaml';
  color: ColorWhen;
}

export function traceCommand(): Command {
  const command = new Command('trace')
    .description('Show one request across proxies and clusters: hops, caller vs callee time, retries, where it failed.')
    .argument('<request-id>', 'the x-request-id (meshlog logs -o wide prints it as id=...)')
    .addOption(new Option('-o, --output <format>', 'text, json or yaml').choices(['text', 'json', 'yaml']).default('text'))
    .addOption(new Option('--color <when>', 'colour the output; auto honours NO_COLOR and FORCE_COLOR').choices(['auto', 'always', 'never']).default('auto'));
  return addServerOptions(command).action(async (requestId: string, flags: TraceFlags) => {
    const response = await request(flags, `api/v1/requests/${encodeURIComponent(requestId)}`);
    if (!response.ok) throw new Error(await errorMessage(response));
    const trace = (await response.json()) as RequestTrace & { truncated?: string };
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(trace, null, 2)}\n`);
    else if (flags.output === 'yaml') process.stdout.write(stringify(trace, { lineWidth: 0 }));
    else process.stdout.write(formatTrace(trace, paintFor(useColor(flags.color, process.stdout.isTTY))));
    if (trace.truncated) process.stderr.write(`meshlog: ${trace.truncated}\n`);
  });
}

export function formatTrace(trace: RequestTrace, paint: Paint): string {
  const failed = trace.failedHop === null ? undefined : trace.hops[trace.failedHop];
  const lines = [
    `request ${trace.requestId}: ${trace.entries} entries, ${trace.hops.length} hops, ${trace.clusters.join(', ') || 'no cluster'}` +
      (failed ? `; ${paint.error('failed')} at ${endText(failed.from)} → ${endText(failed.to, failed.from.namespace)}` : ''),
  ];
  const children = new Map<number | null, Hop[]>();
  for (const hop of trace.hops) children.set(hop.parent, [...(children.get(hop.parent) ?? []), hop]);
  const walk = (parent: number | null, indent: string) => {
    for (const hop of children.get(parent) ?? []) {
      lines.push(`${indent}${hopLine(hop, paint)}`);
      const detail = `${indent}    `;
      if (hop.failure)
        lines.push(
          `${detail}${paint.error(`✗ ${hop.failure.where === 'callee' ? 'in the callee' : hop.failure.where === 'network' ? 'between caller and callee' : "in the caller's proxy"}: ${hop.failure.why}`)}`,
        );
      walk(hop.index, `${indent}  `);
    }
  };
  walk(null, '');
  return `${lines.join('\n')}\n`;
}

function hopLine(hop: Hop, paint: Paint): string {
  const ms = (n: number | undefined) => (n === undefined ? '—' : `${n < 10 ? n.toFixed(2) : n.toFixed(1)}ms`);
  const cluster =
    hop.from.cluster && hop.to.cluster && hop.from.cluster !== hop.to.cluster
      ? `${hop.from.cluster} → ${hop.to.cluster} `
      : `${hop.from.cluster ?? hop.to.cluster ?? '-'} `;
  const parts = [
    paint.dim(`+${ms(hop.offsetMs)}`),
    `${cluster}${paint.workload(endText(hop.from))} → ${paint.workload(endText(hop.to, hop.from.namespace))}${hop.to.port ? `:${hop.to.port}` : ''}`,
    hop.method ? `${hop.method} ${hop.path ?? ''}` : 'TCP',
    paint.status(hop.status ?? 0),
  ];
  if (hop.flags.length > 0) parts.push(paint.error(hop.flags.join(',')));
  if (hop.attempts > 1) parts.push(`attempts=${hop.attempts}`);
  parts.push(`caller ${ms(hop.callerMs)}`, `callee ${ms(hop.calleeMs)}`);
  if (hop.networkMs !== undefined) parts.push(`network+mTLS ${ms(hop.networkMs)}`);
  if (!hop.outbound) parts.push('(caller not reporting)');
  else if (hop.inbound.length === 0 && !hop.failure) parts.push('(callee not reporting)');
  return parts.join('  ');
}

function endText(end: TraceEnd, relativeTo?: string): string {
  const name = end.workload ?? end.service ?? end.ip ?? '-';
  return end.namespace && end.namespace !== relativeTo && end.workload ? `${end.namespace}/${name}` : name;
}
