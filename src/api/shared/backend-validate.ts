/**
 * Which combinations of a backend's fields make a backend, and whether its destination and format
 * are usable. `inline` backends sit in a policy and may reference a backend resource (`{name}`
 * alone is such a reference: the seed calls `type: reference` the default); backend resources and
 * a Mesh's logging backends define one and cannot point elsewhere.
 */
import { compileFormat, validateFormat } from '../../format/index.js';
import { type Violation, field, index } from '../../model/violations.js';
import { isFilePath, isHostPort, isHttpUrl } from '../../sinks/shared/addresses.js';
import { isObject } from '../../util/is-object.js';

export type BackendMode = 'inline' | 'resource' | 'mesh';
export type BackendKind = 'file' | 'tcp' | 'openTelemetry' | 'store' | 'reference';

const forms: readonly BackendKind[] = ['file', 'tcp', 'openTelemetry', 'store', 'reference'];
const formList = "'file', 'tcp', 'openTelemetry', 'store' or 'reference'";
/** The fields of `conf` each type reads. */
const confFields: Readonly<Record<string, readonly string[]>> = {
  file: ['path', 'format'],
  tcp: ['address', 'format'],
  openTelemetry: ['endpoint', 'body', 'attributes'],
};

export function canonicalType(type: unknown): BackendKind | undefined {
  switch (type) {
    case 'file':
    case 'File':
      return 'file';
    case 'tcp':
    case 'Tcp':
      return 'tcp';
    case 'openTelemetry':
    case 'OpenTelemetry':
      return 'openTelemetry';
    case 'store':
    case 'reference':
      return type;
    default:
      return undefined;
  }
}

/** Which backend an entry is; undefined when its fields do not say (a violation then says why). */
export function backendKind(b: Record<string, unknown>): BackendKind | undefined {
  if (b['type'] !== undefined) return canonicalType(b['type']);
  const present = forms.filter((f) => b[f] !== undefined);
  if (present.length === 1) return present[0];
  if (present.length === 0 && b['conf'] === undefined && typeof b['name'] === 'string' && b['name'] !== '') return 'reference';
  return undefined;
}

export function validateBackend(b: unknown, path: string, mode: BackendMode): Violation[] {
  if (!isObject(b)) return [];
  const out = validateShape(b, path, mode);
  const kind = backendKind(b);
  if (kind === 'file' || kind === 'tcp' || kind === 'openTelemetry') {
    const inKey = b[kind] !== undefined;
    const cfg = inKey ? b[kind] : b['conf'];
    if (isObject(cfg)) out.push(...validateConfig(kind, cfg, field(path, inKey ? kind : 'conf'), !inKey));
  }
  if (b['format'] !== undefined) out.push(...validateOuterFormat(b, path, kind));
  if (kind === 'reference' && isObject(b['reference']) && b['reference']['name'] === '') out.push({ field: field(field(path, 'reference'), 'name'), message: 'must be set' });
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
    if (b['conf'] !== undefined) out.push({ field: field(path, 'type'), message: "must be set when 'conf' is: file, tcp or openTelemetry" });
    if (present.length > 1) out.push({ field: path, message: `must have only one of ${formList}` });
    if (present.length === 0 && b['conf'] === undefined && !(mode === 'inline' && hasName)) {
      out.push({ field: path, message: `must have one of ${mode === 'inline' ? formList : "'file', 'tcp', 'openTelemetry' or 'store'"}` });
    }
  }
  if (mode !== 'inline' && (b['reference'] !== undefined || t === 'reference')) {
    out.push({ field: field(path, b['reference'] !== undefined ? 'reference' : 'type'), message: 'a backend resource defines a backend: it cannot reference another one' });
  }
  if (mode === 'mesh' && !hasName) out.push({ field: field(path, 'name'), message: 'must be set' });
  return out;
}

/** The seed's `{name, type, conf, format}` keeps format beside conf; elsewhere it belongs in the backend. */
function validateOuterFormat(b: Record<string, unknown>, path: string, kind: BackendKind | undefined): Violation[] {
  const at = field(path, 'format');
  // The MADR's retired bare string is the likeliest mistake here: say so before anything else.
  if (typeof b['format'] === 'string') return validateFormat(b['format'], at);
  if (kind !== 'file' && kind !== 'tcp') return kind === undefined ? [] : [{ field: at, message: `must not be set for a ${kind} backend` }];
  if (b['conf'] === undefined) return [{ field: at, message: `must be inside '${kind}', beside its ${kind === 'file' ? 'path' : 'address'}` }];
  if (isObject(b['conf']) && b['conf']['format'] !== undefined) return [{ field: at, message: "must not be set together with 'conf.format'" }];
  return validateFormat(b['format'], at);
}

function validateConfig(kind: 'file' | 'tcp' | 'openTelemetry', cfg: Record<string, unknown>, path: string, fromConf: boolean): Violation[] {
  const out: Violation[] = [];
  if (fromConf) {
    for (const key of Object.keys(cfg)) {
      if (!confFields[kind]!.includes(key)) out.push({ field: field(path, key), message: `must not be set when type is ${kind}` });
    }
  }
  const required = kind === 'file' ? 'path' : kind === 'tcp' ? 'address' : 'endpoint';
  const value = cfg[required];
  if (value === undefined) {
    if (fromConf) out.push({ field: field(path, required), message: `must be set when type is ${kind}` });
  } else if (typeof value === 'string') {
    if (kind === 'file' && !isFilePath(value)) out.push({ field: field(path, 'path'), message: `file backend requires a valid path: ${JSON.stringify(value)} is not an absolute path` });
    if (kind === 'tcp' && !isHostPort(value)) out.push({ field: field(path, 'address'), message: `tcp backend requires valid address: ${JSON.stringify(value)} is not host:port` });
    if (kind === 'openTelemetry' && !isHostPort(value) && !isHttpUrl(value)) {
      out.push({ field: field(path, 'endpoint'), message: `must be host:port (OTLP/gRPC) or an http(s):// URL (OTLP/HTTP), not ${JSON.stringify(value)}` });
    }
  }
  if (kind !== 'openTelemetry') out.push(...validateFormat(cfg['format'], field(path, 'format')));
  else out.push(...validateOtel(cfg, path));
  return out;
}

function validateOtel(cfg: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  if (typeof cfg['body'] === 'string') out.push(...templateViolations(cfg['body'], field(path, 'body')));
  const attributes = cfg['attributes'];
  if (!Array.isArray(attributes)) return out;
  const seen = new Set<string>();
  attributes.forEach((a, i) => {
    if (!isObject(a)) return;
    const at = index(field(path, 'attributes'), i);
    const key = a['key'];
    if (typeof key === 'string') {
      const problem = otelKeyProblem(key);
      if (problem) out.push({ field: field(at, 'key'), message: problem });
      else if (seen.has(key)) out.push({ field: field(at, 'key'), message: `duplicate key "${key}"` });
      seen.add(key);
    }
    if (typeof a['value'] === 'string') out.push(...templateViolations(a['value'], field(at, 'value')));
  });
  return out;
}

/** Kuma's rules for an attribute name, in its order: the first that fails is the message. */
export function otelKeyProblem(key: string): string | undefined {
  if (key === '') return 'must be defined';
  if (key.includes('%')) return 'must be a static OpenTelemetry attribute name; placeholders are only supported in values';
  if (key.startsWith('otel.')) return "must not use the reserved OpenTelemetry prefix 'otel.'";
  if (!/^[a-z](?:[a-z0-9]|[._][a-z0-9])*$/.test(key)) {
    return "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit";
  }
  return undefined;
}

/** A single format string's operator problems, placed at the field that holds it. */
function templateViolations(template: string, path: string): Violation[] {
  const compiled = compileFormat({ plain: template }, { path });
  if (compiled.ok) return [];
  return compiled.violations.map((v) => ({ field: v.field === `${path}.plain` ? path : v.field, message: v.message }));
}
