/**
 * AccessLogRecord semantics on the collector side: which entries are collected.
 *
 * An entry is collected when some record selects its workload and that record's filters match
 * (filters are disjunctive; none means every entry). Workload selection depends only on the
 * proxy, so it is worked out once per proxy identity and cached; per entry only the filters run.
 */

import { type AccessLogRecordLike, selectsWorkload } from '../api/access-log-record/model.js';
import type { DecodedEntry } from '../model/entry.js';
import type { ProxyIdentity } from '../model/proxy-identity.js';
import { compileRegex } from '../util/re2.js';
import { type HeaderLookup, requestHeaderLookup, responseHeaderLookup } from './entry-headers.js';

/**
 * An entry as a record filter reads it: the response code (from the wire scan) and, only for a
 * header filter, the decoded entry (decoded on demand, once).
 */
export interface EntryView {
  readonly status: number | null;
  entry(): DecodedEntry;
}

type EntryPredicate = (view: EntryView) => boolean;

interface CompiledRecord {
  readonly source: AccessLogRecordLike;
  /** Null when the record has no filters: every entry matches. */
  readonly filter: EntryPredicate | null;
  /** Lower-case header names the record asks for. */
  readonly includedHeaders: ReadonlySet<string>;
}

/** What the records say about one proxy's entries. */
export interface ProxyCollection {
  /** No record selects this proxy's workload: nothing from it is collected. */
  readonly none: boolean;
  /** Whether this entry is collected, and if so which records asked for it. */
  match(view: EntryView): readonly CompiledRecord[] | null;
}

export interface RecordMatcher {
  readonly records: readonly AccessLogRecordLike[];
  forProxy(proxy: ProxyIdentity): ProxyCollection;
}

export function compileRecords(records: readonly AccessLogRecordLike[]): RecordMatcher {
  const compiled = records.map(compileRecord);
  const cache = new WeakMap<ProxyIdentity, ProxyCollection>();
  return {
    records,
    forProxy(proxy) {
      let collection = cache.get(proxy);
      if (!collection) {
        collection = collectionFor(compiled.filter((r) => selectsWorkload(r.source, proxy)));
        cache.set(proxy, collection);
      }
      return collection;
    },
  };
}

const nothing: ProxyCollection = { none: true, match: () => null };

function collectionFor(selecting: readonly CompiledRecord[]): ProxyCollection {
  if (selecting.length === 0) return nothing;
  return {
    none: false,
    match(view) {
      let matched: CompiledRecord[] | null = null;
      for (const record of selecting) {
        if (record.filter === null || record.filter(view)) (matched ??= []).push(record);
      }
      return matched;
    },
  };
}

function compileRecord(record: AccessLogRecordLike): CompiledRecord {
  const filters = (record.spec.filters ?? []).map(compileFilter);
  const included = new Set<string>();
  for (const list of [record.spec.includedRequestHeaders, record.spec.includedResponseHeaders, record.spec.includedResponseTrailers]) {
    for (const name of list ?? []) included.add(name.toLowerCase());
  }
  return {
    source: record,
    filter: filters.length === 0 ? null : (view) => filters.some((f) => f(view)),
    includedHeaders: included,
  };
}

type Filter = NonNullable<AccessLogRecordLike['spec']['filters']>[number];

function compileFilter(filter: Filter): EntryPredicate {
  const status = filter.statusCodeMatcher;
  if (status) {
    const want = status.value;
    const compare =
      status.comparator === 'GE'
        ? (code: number) => code >= want
        : status.comparator === 'LE'
          ? (code: number) => code <= want
          : (code: number) => code === want;
    return (view) => view.status !== null && compare(view.status);
  }
  const header = filter.headerMatcher;
  if (header) return compileHeaderMatcher(header);
  // Validation refuses a filter with neither matcher; should one get here, it matches nothing.
  return () => false;
}

function compileHeaderMatcher(matcher: NonNullable<Filter['headerMatcher']>): EntryPredicate {
  const name = matcher.name.toLowerCase();
  const value = matcher.value;
  // Envoy's safe_regex matches the whole value.
  const regex = matcher.regex && value !== undefined && value !== '' ? compileRegex(value) : null;
  const test = (actual: string | undefined): boolean => {
    if (actual === undefined) return false;
    if (value === undefined || value === '') return true;
    return regex ? regex.test(actual) : actual === value;
  };
  const lookups: HeaderLookup[] = [requestHeaderLookup, responseHeaderLookup];
  return (view) => {
    const entry = view.entry();
    let found: string | undefined;
    for (const lookup of lookups) {
      found = lookup(entry, name);
      if (found !== undefined) break;
    }
    const matched = test(found);
    return matcher.invertMatch ? !matched : matched;
  };
}
