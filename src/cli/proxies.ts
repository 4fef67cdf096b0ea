/**
 * `meshlog proxies`, like `istioctl proxy-status`: every proxy the server knows (heard from over
 * ALS, or declared as a Dataplane), with its cluster, namespace, workload, flavour, open streams,
 * entries per second and when it was last heard from.
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { addServerOptions, errorMessage, request, type ServerFlags } from './api-client.js';
import { table } from './config.js';

interface ProxyItem {
  id: string;
  origin: string;
  name: string;
  mesh: string;
  type: string;
  address: string;
  zone?: string;
  flavor?: string;
  workloadRef?: { name?: string; namespace?: string; clusterName?: string };
  instance?: string;
  apiVersion?: string;
  activeStreams?: number;
  entries?: number;
  entriesPerSecond?: number;
  lastSeen?: string;
}

function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

export function proxiesCommand(): Command {
  const command = new Command('proxies')
    .description('List the proxies the server knows: cluster, namespace, workload, flavour, streams, entries/s, last seen.')
    .addOption(new Option('-o, --output <format>', 'table (default), wide, yaml or json').choices(['table', 'wide', 'yaml', 'json']).default('table'));
  return addServerOptions(command).action(async (flags: ServerFlags & { output: string }) => {
    // The server pages the list: walk every page.
    const items: ProxyItem[] = [];
    let cursor: string | undefined;
    do {
      const response = await request(flags, `api/v1/proxies?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!response.ok) throw new Error(await errorMessage(response));
      const page = (await response.json()) as { items: ProxyItem[]; nextCursor?: string };
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    if (flags.output === 'json') return void process.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
    if (flags.output === 'yaml') return void process.stdout.write(stringify({ items }));
    if (items.length === 0) {
      process.stderr.write('meshlog: no proxies yet: none has opened an ALS stream to this server, and no Dataplane is applied\n');
      return;
    }
    const wide = flags.output === 'wide';
    const sorted = [...items].sort((a, b) => key(a).localeCompare(key(b)));
    const rows = sorted.map((p) => [
      p.workloadRef?.clusterName || p.zone || '-',
      p.workloadRef?.namespace || '-',
      p.workloadRef?.name || p.name,
      p.flavor ?? (p.origin === 'Dataplane' ? 'kuma (declared)' : '-'),
      String(p.activeStreams ?? 0),
      p.entriesPerSecond === undefined ? '-' : String(p.entriesPerSecond),
      ago(p.lastSeen),
      ...(wide ? [p.instance ?? p.name, p.address || '-', p.apiVersion ?? '-', String(p.entries ?? 0), p.id] : []),
    ]);
    const header = [
      'CLUSTER',
      'NAMESPACE',
      'WORKLOAD',
      'FLAVOUR',
      'STREAMS',
      'ENTRIES/S',
      'LAST SEEN',
      ...(wide ? ['INSTANCE', 'ADDRESS', 'ALS', 'ENTRIES', 'ID'] : []),
    ];
    process.stdout.write(table([header, ...rows]));
  });
}

function key(p: ProxyItem): string {
  return `${p.workloadRef?.clusterName ?? p.zone ?? ''}/${p.workloadRef?.namespace ?? ''}/${p.workloadRef?.name ?? p.name}`;
}
