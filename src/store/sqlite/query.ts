/**
 * `LogQuery` → SQL on the read connection, newest first by (ts, id).
 *
 * Workload filters are resolved in JS against the (small) workloads table. When they leave a few
 * workloads, each is read through the (workload_id, ts) index and the results merged, so "the
 * latest 10 of app=reviews" costs a few index probes however large the table; otherwise the
 * (ts) index is scanned backwards with the workload set as a filter.
 */
import type Database from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { type LogQuery, type StatsQuery, type StatsResult, type QueryResult, type StoredEntry, type StoredWorkload } from '../types.js';
import { selectWorkloads } from '../workload-select.js';
import { directionCode, directionName, kindCode, kindName } from './schema.js';
import { aggregate } from './stats.js';

const perWorkloadPlanMax = 32;

interface Row {
  id: number;
  ts: number;
  kind: number;
  workload_id: number;
  instance: string;
  direction: number;
  src_cluster: string | null;
  src_namespace: string | null;
  src_workload: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_cluster: string | null;
  dst_namespace: string | null;
  dst_workload: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  dst_service: string | null;
  entry: Uint8Array;
}

export interface Reader {
  query(q: LogQuery): QueryResult;
  workloads(): StoredWorkload[];
  stats(q: StatsQuery): StatsResult;
}

export function createReader(db: Database.Database): Reader {
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== 'string' || typeof value !== 'string') return 0;
    return regexFor(pattern).test(value) ? 1 : 0;
  });
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
      if (statements.size > 500) statements.delete(statements.keys().next().value!);
    }
    return stmt;
  };
  const allWorkloads = prepare('SELECT id, cluster, namespace, name, labels, first_seen, last_seen FROM workloads');

  function workloads(): StoredWorkload[] {
    return (
      allWorkloads.all() as Array<{ id: number; cluster: string; namespace: string; name: string; labels: string; first_seen: number; last_seen: number }>
    ).map((w) => ({
      id: w.id,
      ref: { name: w.name, namespace: w.namespace, clusterName: w.cluster },
      labels: JSON.parse(w.labels) as Record<string, string>,
      firstSeen: w.first_seen,
      lastSeen: w.last_seen,
    }));
  }

  return {
    workloads,
    stats: (q) => aggregate(db, q, workloads(), conditions),
    query(q) {
      const known = new Map(workloads().map((w) => [w.id, w]));
      const selected = selectWorkloads(q, [...known.values()])?.map((w) => w.id);
      if (selected?.length === 0) return { items: [] };
      const { where, params } = conditions(q);
      const limit = Math.max(0, Math.floor(q.limit));
      if (limit === 0) return { items: [] };
      let rows: Row[];
      const columns =
        'id, ts, kind, workload_id, instance, direction, src_cluster, src_namespace, src_workload, src_ip, src_port, dst_cluster, dst_namespace, dst_workload, dst_ip, dst_port, dst_service, entry';
      if (selected && selected.length <= perWorkloadPlanMax) {
        const sql = `SELECT ${columns} FROM entries INDEXED BY entries_workload_ts WHERE workload_id = ?${where.map((w) => ` AND ${w}`).join('')} ORDER BY ts DESC, id DESC LIMIT ?`;
        const stmt = prepare(sql);
        rows = selected.flatMap((id) => stmt.all(id, ...params, limit + 1) as Row[]);
        rows.sort((a, b) => b.ts - a.ts || b.id - a.id);
        rows.length = Math.min(rows.length, limit + 1);
      } else {
        const all = [...where];
        if (selected) all.push(`workload_id IN (${selected.join(',')})`);
        const sql = `SELECT ${columns} FROM entries INDEXED BY entries_ts${all.length ? ` WHERE ${all.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`;
        rows = prepare(sql).all(...params, limit + 1) as Row[];
      }
      const more = rows.length > limit;
      if (more) rows.length = limit;
      const items: StoredEntry[] = rows.map((r) => {
        const w = known.get(r.workload_id);
        return {
          id: r.id,
          ts: r.ts,
          kind: kindName[r.kind] ?? 'http',
          workload: w?.ref ?? { name: '', namespace: '', clusterName: '' },
          labels: w?.labels ?? {},
          instance: r.instance,
          direction: directionName[r.direction] ?? null,
          source: { cluster: r.src_cluster, namespace: r.src_namespace, workload: r.src_workload, ip: r.src_ip, port: r.src_port, service: null },
          destination: { cluster: r.dst_cluster, namespace: r.dst_namespace, workload: r.dst_workload, ip: r.dst_ip, port: r.dst_port, service: r.dst_service },
          entry: r.entry,
        };
      });
      const last = rows.at(-1);
      return more && last ? { items, nextCursor: encodeCursor(last.ts, last.id) } : { items };
    },
  };
}

/** The query's row filters as SQL (workload filters are resolved by the caller); `stats.ts` is handed it too. */
function conditions(q: Omit<LogQuery, 'limit'>): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.kind) {
    where.push('kind = ?');
    params.push(kindCode[q.kind]);
  }
  if (q.since !== undefined) {
    where.push('ts >= ?');
    params.push(Math.floor(q.since));
  }
  if (q.until !== undefined) {
    where.push('ts < ?');
    params.push(Math.floor(q.until));
  }
  if (q.status?.length) {
    where.push(`(${q.status.map(() => 'status BETWEEN ? AND ?').join(' OR ')})`);
    for (const r of q.status) params.push(r.min, r.max);
  }
  if (q.methods?.length) {
    where.push(`method IN (${q.methods.map(() => '?').join(',')})`);
    params.push(...q.methods);
  }
  if (q.pathPrefix !== undefined && q.pathPrefix !== '') {
    where.push('substr(path, 1, ?) = ?');
    params.push(q.pathPrefix.length, q.pathPrefix);
  }
  if (q.pathRegex !== undefined) {
    where.push('path REGEXP ?');
    params.push(q.pathRegex);
  }
  if (q.responseFlags?.length) {
    const anyFlag = q.responseFlags.includes('');
    const codes = q.responseFlags.filter((f) => f !== '');
    const parts = [...(anyFlag ? ["response_flags != ''"] : []), ...codes.map(() => "instr(',' || response_flags || ',', ?) > 0")];
    where.push(`(${parts.join(' OR ')})`);
    params.push(...codes.map((c) => `,${c},`));
  }
  if (q.direction) {
    where.push('direction = ?');
    params.push(directionCode[q.direction]);
  }
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (!values?.length) return;
    where.push(`${column} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  anyOf('src_workload', q.fromWorkloads);
  anyOf('src_namespace', q.fromNamespaces);
  anyOf('dst_workload', q.toWorkloads);
  anyOf('dst_namespace', q.toNamespaces);
  anyOf('request_id', q.requestIds);
  anyOf('authority', q.authorities);
  if (q.toServices?.length) {
    where.push(`(${q.toServices.map(() => '(dst_service = ? OR substr(dst_service, 1, ?) = ?)').join(' OR ')})`);
    for (const service of q.toServices) params.push(service, service.length + 1, `${service}.`);
  }
  if (q.minDurationUs !== undefined) {
    where.push('duration_us >= ?');
    params.push(Math.floor(q.minDurationUs));
  }
  if (q.cursor !== undefined) {
    const cursor = decodeCursor(q.cursor);
    where.push('(ts < ? OR (ts = ? AND id < ?))');
    params.push(cursor.ts, cursor.ts, cursor.id);
  }
  return { where, params };
}

const regexCache = new Map<string, RegExp>();

function regexFor(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    regexCache.set(pattern, re);
    if (regexCache.size > 100) regexCache.delete(regexCache.keys().next().value!);
  }
  return re;
}
