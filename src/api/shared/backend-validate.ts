/**
 * Which combinations of a backend's fields make a backend, and whether its destination and format
 * are usable. `inline` backends sit in a policy and may reference a backend resource (`{name}`
 * alone is such a reference: the seed calls `type: reference` the default); backend resources and
 * a Mesh's logging backends define one and cannot point elsewhere.
 */
import { validateFormat } from '../../format/index.js';
import { field, type Violation } from '../../model/violations.js';
import { canonicalSinkType, type SinkType, sinkFactory, sinkTypes } from '../../sinks/index.js';
import { isObject } from '../../util/is-object.js';
import type { ValidationContext } from '../types.js';
import { backendForms } from './backend-schema.js';

export type BackendMode = 'inline' | 'resource' | 'mesh';
export type BackendKind = SinkType | 'store' | 'reference';

const forms = backendForms(true) as readonly BackendKind[];

/** `'a', 'b' or 'c'`, quoted or not. */
function oneOf(items: readonly string[], quote: boolean): string {
  const shown = quote ? items.map((i) => `'${i}'`) : [...items];
  return shown.length < 2 ? shown.join('') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

/** The type a backend's `type` names: a sink type in meshlog's or Kuma 2.x's spelling, `store` or `reference`. */
export function canonicalType(type: unknown): BackendKind | undefined {
  if (type === 'store' || type === 'reference') return type;
  return canonicalSinkType(type);
}

/** Which backend an entry is; undefined when its fields do not say (a violation then says why). */
export function backendKind(b: Record<string, unknown>): BackendKind | undefined {
  if (b['type'] !== undefined) return canonicalType(b['type']);
  const present = forms.filter((f) => b[f] !== undefined);
  if (present.length === 1) return present[0];
  if (present.length === 0 && b['conf'] === undefined && typeof b['name'] === 'string' && b['name'] !== '') return 'reference';
  return undefined;
}

export function validateBackend(b: unknown, path: string, mode: BackendMode, context?: ValidationContext): Violation[] {
  if (!isObject(b)) return [];
  const out = validateShape(b, path, mode);
  const kind = backendKind(b);
  if (kind !== undefined && kind !== 'store' && kind !== 'reference') {
    const inKey = b[kind] !== undefined;
    const cfg = inKey ? b[kind] : b['conf'];
    if (isObject(cfg)) out.push(...validateConfig(kind, cfg, field(path, inKey ? kind : 'conf'), !inKey, context));
  }
  if (b['format'] !== undefined) out.push(...validateOuterFormat(b, path, kind));
  if (kind === 'reference' && isObject(b['reference']) && b['reference']['name'] === '')
    out.push({ field: field(field(path, 'reference'), 'name'), message: 'must be set' });
  return out;
}

/** The rules on which fields go together. */
function validateShape(b: Record<string, unknown>, path: string, mode: BackendMode): Violation[] {
  const out: Violation[] = [];
  const type = b['type'];
  const t = canonicalType(type);
  const present = forms.filter((f) => b[f] !== undefined);
  const hasName = typeof b['name'] === 'string' && b['name'] !== '';
  if (t !== undefined) {
    for (const f of present) if (f !== t) out.push({ field: field(path, f), message: `must not be set when type is ${String(type)}` });
    if ((t === 'reference' || t === 'store') && b['conf'] !== undefined) out.push({ field: field(path, 'conf'), message: `must not be set when type is ${t}` });
    if (t === 'reference' && b['reference'] === undefined && !hasName) out.push({ field: field(path, 'name'), message: 'must be set when type is reference' });
    if (t !== 'reference' && t !== 'store') {
      // Kuma 2.x (`type: Tcp`) puts the backend under its own key; the seed (`type: tcp`) under `conf`.
      const kuma2 = type !== t;
      if (b[t] === undefined && b['conf'] === undefined) out.push({ field: field(path, kuma2 ? t : 'conf'), message: 'must be defined' });
      if (b[t] !== undefined && b['conf'] !== undefined) out.push({ field: field(path, 'conf'), message: `must not be set together with '${t}'` });
    }
  } else if (type === undefined) {
    if (b['conf'] !== undefined) out.push({ field: field(path, 'type'), message: `must be set when 'conf' is: ${oneOf(sinkTypes, false)}` });
    if (present.length > 1) out.push({ field: path, message: `must have only one of ${oneOf(forms, true)}` });
    if (present.length === 0 && b['conf'] === undefined && !(mode === 'inline' && hasName)) {
      out.push({ field: path, message: `must have one of ${oneOf(backendForms(mode === 'inline'), true)}` });
    }
  }
  if (mode !== 'inline' && (b['reference'] !== undefined || t === 'reference')) {
    out.push({
      field: field(path, b['reference'] !== undefined ? 'reference' : 'type'),
      message: 'a backend resource defines a backend: it cannot reference another one',
    });
  }
  const otel = b['openTelemetry'] ?? (t === 'openTelemetry' ? b['conf'] : undefined);
  if (mode !== 'inline' && isObject(otel) && otel['backendRef'] !== undefined) {
    const at = field(field(path, b['openTelemetry'] !== undefined ? 'openTelemetry' : 'conf'), 'backendRef');
    out.push({ field: at, message: 'a backend resource defines a backend: write its endpoint, not a reference to another one' });
  }
  if (mode === 'mesh' && !hasName) out.push({ field: field(path, 'name'), message: 'must be set' });
  return out;
}

/** The seed's `{name, type, conf, format}` keeps format beside conf; elsewhere it belongs in the backend. */
function validateOuterFormat(b: Record<string, unknown>, path: string, kind: BackendKind | undefined): Violation[] {
  const at = field(path, 'format');
  // The MADR's retired bare string is the likeliest mistake here: say so before anything else.
  if (typeof b['format'] === 'string') return validateFormat(b['format'], at);
  if (kind === undefined) return [];
  const schema = kind === 'store' || kind === 'reference' ? undefined : sinkFactory(kind).schema;
  if (!schema || !Object.hasOwn(schema.properties, 'format')) return [{ field: at, message: `must not be set for a ${kind} backend` }];
  if (b['conf'] === undefined) return [{ field: at, message: `must be inside '${kind}', beside its ${(schema.required ?? []).join(', ')}` }];
  if (isObject(b['conf']) && b['conf']['format'] !== undefined) return [{ field: at, message: "must not be set together with 'conf.format'" }];
  return validateFormat(b['format'], at);
}

/**
 * A sink backend's own fields: under `conf` (the seed), only the fields of the type's schema and
 * all of its required ones, which the schema cannot say for `conf`; then the sink's validator.
 */
function validateConfig(kind: SinkType, cfg: Record<string, unknown>, path: string, fromConf: boolean, context?: ValidationContext): Violation[] {
  const out: Violation[] = [];
  const factory = sinkFactory(kind);
  if (fromConf) {
    for (const key of Object.keys(cfg)) {
      if (!Object.hasOwn(factory.schema.properties, key)) out.push({ field: field(path, key), message: `must not be set when type is ${kind}` });
    }
    for (const required of factory.schema.required ?? []) {
      if (cfg[required] === undefined) out.push({ field: field(path, required), message: `must be set when type is ${kind}` });
    }
  }
  // A field said to be missing above is not also the sink's to word.
  const said = new Set(out.map((v) => v.field));
  out.push(...factory.validate(cfg, path, context?.sinks).filter((v) => !said.has(v.field)));
  return out;
}
