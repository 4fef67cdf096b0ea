/**
 * Resources from YAML (or JSON) text: many documents per file, Kubernetes `List`s, and every
 * problem — syntax or validation — placed at the line and column of the field it names.
 *
 * Text from a file or a request is untrusted, so reading it is bounded: at most `maxResourceText`
 * bytes, at most `maxAliasCount` alias expansions per document (a billion-laughs document is a
 * problem at its first line, never a thrown error), and at most `maxResourceBytes` per resource.
 */
import { type Document, isMap, isNode, isScalar, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { joinPath, parsePath, type Violation } from '../model/violations.js';
import { kinds as defaultKinds } from './kinds.js';
import { parseResource } from './resource.js';
import type { KindDefinition, Resource, ValidationContext } from './types.js';

export interface Problem {
  readonly source: string;
  readonly line: number;
  readonly col: number;
  readonly field: string;
  readonly message: string;
}

export interface LoadedResource {
  readonly resource: Resource;
  readonly source: string;
  readonly line: number;
  /** Where a field of this resource is written (the nearest written parent when it is not); `exact` when the field itself is. */
  readonly locate?: (field: string) => { line: number; col: number; exact: boolean };
}

/** The largest file or request body read as resources: 1 MiB. */
export const maxResourceText = 1024 * 1024;
/** The largest one resource may be, as JSON: 256 KiB. */
export const maxResourceBytes = 256 * 1024;
/** Alias expansions per document (the `yaml` package's weighted count, its default). */
export const maxAliasCount = 100;

export function loadResources(
  text: string,
  source: string,
  registry: readonly KindDefinition[] = defaultKinds,
  context?: ValidationContext,
): { resources: LoadedResource[]; problems: Problem[] } {
  const size = Buffer.byteLength(text);
  if (size > maxResourceText) return { resources: [], problems: [tooLarge(source, size)] };
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const resources: LoadedResource[] = [];
  const problems: Problem[] = [];
  const at = (offset: number) => lineCounter.linePos(offset);
  if (!Array.isArray(documents)) {
    // An empty stream gives an EmptyStream object.
    return { resources, problems };
  }
  for (const [docIndex, doc] of documents.entries()) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const { line, col } = at(err.pos[0]);
        problems.push({ source, line, col, field: '', message: err.message.split('\n')[0]! });
      }
      continue;
    }
    // At the document's first node: its `---` line is the previous document's end to a reader.
    const start = at(doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0);
    const value = readDocument(doc, docIndex + 1);
    if (typeof value === 'string') {
      problems.push({ source, line: start.line, col: start.col, field: '', message: value });
      continue;
    }
    if (value.json === null || value.json === undefined) continue;
    if (value.bytes > maxResourceBytes) {
      problems.push({
        source,
        line: start.line,
        col: start.col,
        field: '',
        message: `document ${docIndex + 1} is ${value.bytes} bytes as JSON; a resource may have at most ${maxResourceBytes}`,
      });
      continue;
    }
    const json = value.json;
    const items: Array<{ value: unknown; prefix: string }> = isList(json)
      ? (json['items'] as unknown[]).map((v, i) => ({ value: v, prefix: `items[${i}]` }))
      : [{ value: json, prefix: '' }];
    for (const item of items) {
      const { resource, violations } = parseResource(item.value, registry, context);
      const docStart = at(nodeOffset(doc, parsePath(item.prefix)) ?? doc.range?.[0] ?? 0);
      const locate = (f: string) => {
        const path = parsePath(joinPath(item.prefix, f));
        const exact = nodeOffset(doc, path);
        const { line, col } = exact !== undefined ? at(exact) : place(doc, { field: f, message: '' }, item.prefix, source, at);
        return { line, col, exact: exact !== undefined };
      };
      if (resource) resources.push({ resource, source, line: docStart.line, locate });
      for (const v of violations) problems.push(place(doc, v, item.prefix, source, at));
    }
  }
  return { resources, problems };
}

/** The document's value and its size as JSON, or why it cannot be read (an alias bomb). */
function readDocument(doc: Document, n: number): { json: unknown; bytes: number } | string {
  try {
    const json: unknown = doc.toJS({ maxAliasCount });
    return { json, bytes: json === undefined ? 0 : Buffer.byteLength(JSON.stringify(json) ?? '') };
  } catch (err) {
    // `yaml` throws for excessive aliasing; nothing else of a parsed document should, but none may escape.
    return `document ${n} cannot be read: ${err instanceof Error ? err.message : String(err)} (at most ${maxAliasCount} alias expansions per document)`;
  }
}

/** The problem of a file or body over `maxResourceText`, at its start. */
export function tooLarge(source: string, size: number): Problem {
  return { source, line: 1, col: 1, field: '', message: `is ${size} bytes; resources are read from at most ${maxResourceText} bytes (1 MiB) at a time` };
}

function isList(value: unknown): value is { kind: 'List'; items: unknown[] } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'List' && Array.isArray((value as { items?: unknown }).items);
}

function place(doc: Document, v: Violation, prefix: string, source: string, at: (o: number) => { line: number; col: number }): Problem {
  const path = parsePath(joinPath(prefix, v.field));
  // An unknown field is placed at its key; any other field at its value; a missing field at the
  // nearest parent that exists.
  let offset: number | undefined = v.message.startsWith('unknown field') ? keyOffset(doc, path) : undefined;
  for (let n = path.length; n >= 0 && offset === undefined; n--) offset = nodeOffset(doc, path.slice(0, n));
  const { line, col } = at(offset ?? doc.range?.[0] ?? 0);
  return { source, line, col, field: v.field, message: v.message };
}

function nodeOffset(doc: Document, path: Array<string | number>): number | undefined {
  const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isNode(node) && (node as Node).range) return (node as Node).range![0];
  return undefined;
}

function keyOffset(doc: Document, path: Array<string | number>): number | undefined {
  const key = path[path.length - 1];
  if (typeof key !== 'string') return undefined;
  const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  return isNode(pair?.key) ? pair.key.range?.[0] : undefined;
}

export function formatProblem(p: Problem): string {
  return `${p.source}:${p.line}:${p.col} ${p.field ? `${p.field}: ` : ''}${p.message}`;
}
