/**
 * The first day's empty answer, explained: when `meshlog logs` finds nothing although the server
 * receives entries, and no AccessLogRecord selected any of them, say so on stderr and show how to
 * collect them. The check costs one request, made only when the answer was empty.
 */
import { request, type ServerFlags } from './api-client.js';

export interface ServerInfo {
  readonly version: string;
  readonly node: string;
  readonly envoy: { readonly accessLogService: readonly string[]; readonly protos: { readonly package: string; readonly version: string } };
  readonly ingest: { readonly received: number; readonly collected: number; readonly notSelected: number };
  readonly accessLogRecords: number;
  readonly proxies: number;
}

export async function serverInfo(flags: ServerFlags): Promise<ServerInfo | undefined> {
  const response = await request(flags, 'api/v1/server');
  return response.ok ? ((await response.json()) as ServerInfo) : undefined;
}

export const collectEverythingRecord = `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1
kind: AccessLogRecord
metadata: {name: everything, namespace: gloo-mesh}
spec: {}`;

export async function printNoneSelectedHint(flags: ServerFlags): Promise<void> {
  let info: ServerInfo | undefined;
  try {
    info = await serverInfo(flags);
  } catch {
    return;
  }
  if (!info || info.ingest.received === 0 || info.ingest.collected > 0) return;
  const records = info.accessLogRecords === 0 ? 'there is no AccessLogRecord' : `none of the ${info.accessLogRecords} AccessLogRecords selected any of them`;
  process.stderr.write(
    [
      `meshlog: no entries. The server has received ${info.ingest.received} entries from ${info.proxies} proxies, but ${records}, so none were kept (${info.ingest.notSelected} not selected).`,
      '  An AccessLogRecord chooses what is kept; to keep everything:',
      '',
      ...collectEverythingRecord.split('\n').map((l) => `    ${l}`),
      '',
      '  saved as record.yaml, then: meshlog apply -f record.yaml   (docs/reference/resources.md#accesslogrecord)',
      '',
    ].join('\n'),
  );
}
