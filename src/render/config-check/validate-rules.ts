/**
 * The protoc-gen-validate rules Envoy enforces when it loads config, for the rules that catch
 * real mistakes cheaply: `message.required`, `string.min_len`/`max_len`/`min_bytes`,
 * `repeated.min_items` (and `items.string.min_len`), `enum.defined_only`, and numeric
 * `gt`/`gte`/`lt`/`lte`. As in PGV, an unset scalar is checked as its default (an unset
 * `log_name` is an empty string, too short), while a field of an unset oneof is not checked.
 * protobufjs keeps the options flat on each field: `(validate.rules).string.min_len`. Beyond PGV,
 * Envoy compiles every `RegexMatcher.regex` with RE2 when it loads config; so does this check.
 */
import protobuf from 'protobufjs';
import { regexProblem } from '../../util/re2.js';
import type { Walk } from './walk.js';

const numericKinds = ['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float'];

function rule(options: Record<string, unknown> | undefined, key: string): unknown {
  return options?.[`(validate.rules).${key}`];
}

function violation(walk: Walk, path: string, message: string): void {
  walk.violations.push({ path, message });
}

export function checkFieldRules(walk: Walk, field: protobuf.Field, value: unknown, isSet: boolean, path: string): void {
  const options = field.options;
  if (!options) return;
  // A oneof member is only validated when it is the one that is set.
  if (field.partOf && !isSet) return;
  if (rule(options, 'message.required') === true && !isSet) {
    violation(walk, path, `${path.slice(path.lastIndexOf('.') + 1)} is required`);
    return;
  }
  if (field.repeated || field instanceof protobuf.MapField) {
    checkRepeated(walk, options, Array.isArray(value) ? value : [], path);
    return;
  }
  checkString(walk, options, 'string', isSet ? value : '', path);
  checkEnum(walk, field, options, value, path);
  checkNumber(walk, options, field.type, isSet ? value : 0, path);
}

function checkRepeated(walk: Walk, options: Record<string, unknown>, items: readonly unknown[], path: string): void {
  const min = rule(options, 'repeated.min_items');
  if (typeof min === 'number' && items.length < min) violation(walk, path, `needs at least ${min} item${min === 1 ? '' : 's'}, has ${items.length}`);
  const max = rule(options, 'repeated.max_items');
  if (typeof max === 'number' && items.length > max) violation(walk, path, `takes at most ${max} items, has ${items.length}`);
  items.forEach((item, i) => {
    checkString(walk, options, 'repeated.items.string', item, `${path}[${i}]`);
  });
}

function checkString(walk: Walk, options: Record<string, unknown>, prefix: string, value: unknown, path: string): void {
  if (typeof value !== 'string') return;
  const minLen = rule(options, `${prefix}.min_len`);
  const length = [...value].length;
  if (typeof minLen === 'number' && length < minLen) {
    violation(walk, path, minLen === 1 ? 'must not be empty' : `must have at least ${minLen} characters`);
  }
  const minBytes = rule(options, `${prefix}.min_bytes`);
  if (typeof minBytes === 'number' && Buffer.byteLength(value) < minBytes) violation(walk, path, `must have at least ${minBytes} bytes`);
  const maxLen = rule(options, `${prefix}.max_len`);
  if (typeof maxLen === 'number' && length > maxLen) violation(walk, path, `must have at most ${maxLen} characters`);
}

function checkEnum(walk: Walk, field: protobuf.Field, options: Record<string, unknown>, value: unknown, path: string): void {
  if (rule(options, 'enum.defined_only') !== true || typeof value !== 'number') return;
  const type = field.resolvedType;
  if (type instanceof protobuf.Enum && type.valuesById[value] === undefined)
    violation(walk, path, `${value} is not a defined value of ${type.fullName.slice(1)}`);
}

function checkNumber(walk: Walk, options: Record<string, unknown>, type: string, value: unknown, path: string): void {
  if (!numericKinds.includes(type)) return;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n)) return;
  const bound = (name: string) => {
    const v = rule(options, `${type}.${name}`);
    return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : undefined;
  };
  const gt = bound('gt');
  const gte = bound('gte');
  const lt = bound('lt');
  const lte = bound('lte');
  if (gt !== undefined && !(n > gt)) violation(walk, path, `must be greater than ${gt}, is ${n}`);
  if (gte !== undefined && !(n >= gte)) violation(walk, path, `must be at least ${gte}, is ${n}`);
  if (lt !== undefined && !(n < lt)) violation(walk, path, `must be less than ${lt}, is ${n}`);
  if (lte !== undefined && !(n <= lte)) violation(walk, path, `must be at most ${lte}, is ${n}`);
}

/** Envoy refuses config whose `safe_regex` RE2 cannot compile (a look-ahead, a back-reference). */
export function checkRegexMatcher(walk: Walk, type: protobuf.Type, value: Record<string, unknown>, path: string): void {
  if (type.fullName !== '.envoy.type.matcher.v3.RegexMatcher' || typeof value['regex'] !== 'string') return;
  const problem = regexProblem(value['regex']);
  if (problem !== undefined) violation(walk, path === '' ? 'regex' : `${path}.regex`, `RE2 cannot compile it: ${problem}`);
}
