/**
 * Field-path violations: the one error shape every validator in meshlog returns.
 *
 * Validators never stop at the first problem; they collect every violation with the path of the
 * field it concerns (`spec.filters[1].headerMatcher.name`) so that a user fixes a file in one pass.
 * The API returns them with HTTP 400, the CLI prints them as `FILE:LINE:COL field: message`.
 */

export interface Violation {
  /** Path from the resource root: `spec.to[0].default.backends[1].tcp.address`. Empty for the whole document. */
  readonly field: string;
  /** A lower-case phrase, quoting field names: `must be set`, `'to' must be empty when 'rules' is defined`. */
  readonly message: string;
}

export interface Violations {
  add(field: string, message: string): void;
  /** Adds violations found by another validator under `prefix`. */
  addAll(prefix: string, violations: readonly Violation[]): void;
  readonly list: readonly Violation[];
  readonly ok: boolean;
}

export function createViolations(): Violations {
  const list: Violation[] = [];
  return {
    add(field, message) {
      list.push({ field, message });
    },
    addAll(prefix, violations) {
      for (const v of violations) list.push({ field: joinPath(prefix, v.field), message: v.message });
    },
    get list() {
      return list;
    },
    get ok() {
      return list.length === 0;
    },
  };
}

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `field(path, 'name')` → `path.name`; keys that are not plain identifiers are quoted: `path["x.y"]`. */
export function field(path: string, name: string): string {
  if (!plainKey.test(name)) return `${path}[${JSON.stringify(name)}]`;
  return path === '' ? name : `${path}.${name}`;
}

/** `index(path, 2)` → `path[2]`. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** Joins a prefix and a relative path (`a.b` + `c[0]` → `a.b.c[0]`, `a` + `[0].x` → `a[0].x`). */
export function joinPath(prefix: string, rest: string): string {
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

/**
 * Splits a field path back into keys and indexes (`spec.filters[1]["a.b"]` → `['spec','filters',1,'a.b']`),
 * so that the YAML loader can find the source position of a violation.
 */
export function parsePath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(JSON.parse(m[3]) as string);
  }
  return parts;
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => (v.field ? `${v.field}: ${v.message}` : v.message)).join('\n');
}
