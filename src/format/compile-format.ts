/**
 * Compiles a format spec once into literal and operator parts; formatting an entry then walks
 * the parts (no parsing, no regexes, no allocation but the output). Every problem in the spec is
 * returned as a violation with its field and column, so a bad format is refused when a policy is
 * applied, never discovered on live traffic.
 */

import type { DecodedEntry } from '../model/entry.js';
import type { Violation } from '../model/violations.js';
import { operators } from './operators.js';
import { parseFormat } from './parse-format.js';
import type { CompiledFormat, Evaluator, FormatContext, FormatSpec, FormatValue, FormatViolations } from './types.js';

export interface CompileOptions {
  /** Path of the format in the resource, prefixed to violation fields. Defaults to `format`. */
  readonly path?: string;
}

/** One part, literal (`evaluate` null) or operator; one object shape for every part. */
interface Part {
  readonly text: string;
  readonly evaluate: Evaluator | null;
  /** `:Z`, or -1. */
  readonly maxLength: number;
}

interface CompiledTemplate {
  readonly parts: readonly Part[];
  /** The operator part when the template is exactly one operator: a typed JSON value. */
  readonly whole: Part | null;
}

function compileTemplate(format: string, target: 'text' | 'json', field: string, violations: Violation[], unsupported: Set<string>): CompiledTemplate {
  const parsed = parseFormat(format);
  for (const message of parsed.errors) violations.push({ field, message });
  const parts: Part[] = [];
  for (const p of parsed.parts) {
    if (p.type === 'literal') {
      parts.push({ text: p.text, evaluate: null, maxLength: -1 });
      continue;
    }
    const def = operators.get(p.name);
    const at = `${p.text} at column ${p.column}`;
    if (!def) {
      violations.push({ field, message: `unknown command operator ${at}` });
      continue;
    }
    if (def.args === 'none' && p.arg !== undefined) {
      violations.push({ field, message: `invalid command operator ${at}: ${p.name} takes no argument` });
      continue;
    }
    if (p.maxLength !== undefined && !def.maxLength) {
      violations.push({ field, message: `invalid command operator ${at}: ${p.name} does not take a length (':Z')` });
      continue;
    }
    const built = def.build(p.arg, parsed.parts.length === 1 ? target : 'text');
    if (typeof built === 'string') {
      violations.push({ field, message: `invalid command operator ${at}: ${built}` });
      continue;
    }
    if (def.unsupported) unsupported.add(p.name);
    parts.push({ text: p.text, evaluate: built, maxLength: p.maxLength ?? -1 });
  }
  const only = parsed.parts.length === 1 && parts.length === 1 ? parts[0]! : null;
  return { parts, whole: only?.evaluate ? only : null };
}

function truncate(s: string, maxLength: number): string {
  return maxLength >= 0 && s.length > maxLength ? s.slice(0, maxLength) : s;
}

/** An operator's value in text: `-` (or nothing) when missing, JSON for objects, truncated to `:Z`. */
function textOf(value: FormatValue, maxLength: number, omitEmpty: boolean): string {
  if (value === null) return omitEmpty ? '' : '-';
  if (typeof value === 'string') return truncate(value, maxLength);
  if (typeof value === 'number' || typeof value === 'boolean') return truncate(String(value), maxLength);
  return truncate(JSON.stringify(value), maxLength);
}

function renderText(parts: readonly Part[], entry: DecodedEntry, context: FormatContext, omitEmpty: boolean): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    out += part.evaluate === null ? part.text : textOf(part.evaluate(entry, context), part.maxLength, omitEmpty);
  }
  return out;
}

/** A whole-value operator in typed JSON: native value; strings truncated, objects never. */
function typedOf(part: Part, entry: DecodedEntry, context: FormatContext): FormatValue {
  const value = part.evaluate!(entry, context);
  return typeof value === 'string' ? truncate(value, part.maxLength) : value;
}

export function compileFormat(spec: FormatSpec, options: CompileOptions = {}): CompiledFormat | FormatViolations {
  const path = options.path ?? 'format';
  const omitEmpty = spec.omitEmptyValues === true;
  const violations: Violation[] = [];
  const unsupported = new Set<string>();

  if ('plain' in spec) {
    const { parts } = compileTemplate(spec.plain, 'text', `${path}.plain`, violations, unsupported);
    if (violations.length > 0) return { ok: false, violations };
    return {
      ok: true,
      kind: 'plain',
      unsupported: [...unsupported],
      format: (entry, context) => renderText(parts, entry, context, omitEmpty),
    };
  }

  const fields = spec.json.map(({ key, value }, i) => {
    if (key === '') violations.push({ field: `${path}.json[${i}].key`, message: 'must not be empty' });
    return { key, template: compileTemplate(value, 'json', `${path}.json[${i}].value`, violations, unsupported) };
  });
  if (violations.length > 0) return { ok: false, violations };
  return {
    ok: true,
    kind: 'json',
    unsupported: [...unsupported],
    format(entry, context) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const { key, template } = fields[i]!;
        if (template.whole !== null) {
          const value = typedOf(template.whole, entry, context);
          if (value === null && omitEmpty) continue;
          out[key] = value;
        } else {
          const value = renderText(template.parts, entry, context, omitEmpty);
          if (value === '' && omitEmpty) continue;
          out[key] = value;
        }
      }
      return out;
    },
  };
}
