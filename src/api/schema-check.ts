/**
 * Structural validation from a resource's TypeBox schema, as field-path violations.
 *
 * The schema is the single source of truth for a kind (types, validation, the emitted OpenAPI);
 * this turns TypeBox's errors into the messages users read: `must be set`, `unknown field`,
 * `must be a string`, `must be one of EQ, GE, LE`. One violation per field, no cascades.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { joinPath, type Violation } from '../model/violations.js';

export function checkSchema(schema: TSchema, value: unknown, basePath: string): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const field = joinPath(basePath, pointerToPath(error.path));
    // The first (innermost-reported) problem of a field is the one worth reading.
    if (seen.has(field) || [...seen].some((p) => field.startsWith(`${p}.`) || field.startsWith(`${p}[`))) continue;
    const message = messageFor(error.type, error.schema);
    if (message === undefined) continue;
    seen.add(field);
    out.push({ field, message });
  }
  return out;
}

/** `/spec/filters/1/headerMatcher` → `spec.filters[1].headerMatcher`. */
export function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) path += `[${key}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) path += path === '' ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
}

function messageFor(type: ValueErrorType, schema: TSchema): string | undefined {
  switch (type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'must be set';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown field';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Number:
      return 'must be a number';
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Array:
      return 'must be a list';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.StringMinLength:
      return schema['minLength'] === 1 ? 'must not be empty' : `must be at least ${schema['minLength']} characters`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema['maxLength']} characters`;
    case ValueErrorType.StringPattern:
      return schema['description'] ? `must be ${schema['description']}` : `must match ${schema['pattern']}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${schema['minimum']}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${schema['maximum']}`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${schema['minItems']} item${schema['minItems'] === 1 ? '' : 's'}`;
    case ValueErrorType.Union: {
      const options = (schema['anyOf'] as TSchema[] | undefined)?.map((s) => s['const']).filter((c) => c !== undefined);
      return options?.length ? `must be one of ${options.join(', ')}` : 'does not have an accepted form';
    }
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema['const'])}`;
    default:
      return 'is not valid here';
  }
}
