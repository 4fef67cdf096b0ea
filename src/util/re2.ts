/**
 * Every regular expression a user writes (records, policies, routes, query parameters) is compiled
 * here, with RE2: Envoy's own engine, so meshlog accepts exactly the syntax Envoy's `safe_regex`
 * does (`(?P<name>…)` yes, look-around and back-references no) and matches in time linear in the
 * input, whatever the pattern. JavaScript's RegExp backtracks: `(a+)+$` against 28 `a`s and a `!`
 * blocked a whole process for seconds.
 *
 * The `re2` package is the native binding (RE2 and Abseil built by node-gyp at install). It is
 * chosen over `re2-wasm`, whose 16 MiB heap never frees a compiled pattern: a few thousand query
 * regexes abort it for the rest of the process (docs/operations/security.md has the figures).
 */
import RE2 from 're2';
import type { Violation } from '../model/violations.js';

/** A compiled user regex; `test` runs in time linear in the input. */
export type SafeRegex = Pick<RE2, 'test' | 'source'>;

/** How a pattern is matched: Envoy's `safe_regex` matches the whole value; a search finds it anywhere. */
export type RegexMode = 'full' | 'search';

/**
 * The `re2` binding quietly rewrites some JavaScript-only escapes into RE2 syntax (`\uFFFF`, `\cA`,
 * long `\p{…}` names). Envoy's RE2 refuses them, so they are refused here too.
 */
const javascriptEscape = /\\(?:\\|u|c[A-Za-z]|[pP]\{([^}]*)\})/g;

function javascriptOnly(pattern: string): string | undefined {
  for (const m of pattern.matchAll(javascriptEscape)) {
    const sequence = m[0];
    if (sequence === '\\\\') continue;
    if (sequence.startsWith('\\u')) return 'invalid escape sequence: \\u (RE2 writes a code point as \\x{FFFF})';
    if (sequence.startsWith('\\c')) return `invalid escape sequence: ${sequence} (RE2 writes a control character as \\x01)`;
    // A Unicode class the binding renamed is JavaScript's spelling (\p{Letter}); RE2 wants \p{L}.
    const name = m[1]!;
    if (new RE2(`\\p{${name}}`, 'u').internalSource !== `\\p{${name}}`)
      return `invalid character class range: ${sequence} (RE2 names classes like \\p{L} or \\p{Greek})`;
  }
  return undefined;
}

function anchored(pattern: string, mode: RegexMode): string {
  // Grouped so that an alternation (`a|b`) is anchored as a whole.
  return mode === 'full' ? `^(?:${pattern})$` : pattern;
}

/** RE2's objection to `pattern` (its own message), or undefined when Envoy would compile it. */
export function regexProblem(pattern: string, mode: RegexMode = 'full'): string | undefined {
  try {
    new RE2(pattern, 'u');
    const js = javascriptOnly(pattern);
    if (js) return js;
    // The anchored form is what runs; a pattern that only compiles alone (an open \Q) is refused.
    if (mode === 'full') new RE2(anchored(pattern, mode), 'u');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The violation at `path` when `pattern` is not an RE2 regex Envoy would take. */
export function checkRegex(pattern: string, path: string, mode: RegexMode = 'full'): Violation[] {
  const problem = regexProblem(pattern, mode);
  return problem === undefined ? [] : [{ field: path, message: `is not a valid RE2 regular expression: ${problem}` }];
}

/** Compiles a pattern that validated; throws RE2's message for one that did not. */
export function compileRegex(pattern: string, mode: RegexMode = 'full'): SafeRegex {
  const problem = regexProblem(pattern, mode);
  if (problem !== undefined) throw new Error(`${JSON.stringify(pattern)} is not a valid RE2 regular expression: ${problem}`);
  return new RE2(anchored(pattern, mode), 'u');
}
