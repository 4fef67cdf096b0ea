import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { checkRegex, compileRegex, regexProblem } from './re2.js';

describe('user regexes (RE2, Envoy syntax)', () => {
  it('compiles with RE2, which answers the catastrophic pattern at once', () => {
    const regex = compileRegex('(a+)+$');
    expect(regex).toBeInstanceOf(RE2);
    expect(regex.test(`${'a'.repeat(28)}!`)).toBe(false);
    expect(regex.test('a'.repeat(5_000))).toBe(true);
  });

  it("matches the whole value in 'full' mode (Envoy's safe_regex), anywhere in 'search' mode", () => {
    expect(compileRegex('a|ab').test('ab')).toBe(true);
    expect(compileRegex('b').test('ab')).toBe(false);
    expect(compileRegex('b', 'search').test('ab')).toBe(true);
  });

  it.each([
    ['(?P<id>[0-9]+)', undefined],
    ['[[:alpha:]]+\\pL\\p{Greek}', undefined],
    ['(?=x)', 'invalid perl operator: (?='],
    ['(a)\\1', 'invalid escape sequence: \\1'],
    ['a{1001}', 'invalid repetition size: {1001}'],
    ['([a-z', 'missing ]: [a-z'],
    ['\\u0041', 'invalid escape sequence: \\u (RE2 writes a code point as \\x{FFFF})'],
    ['\\cA', 'invalid escape sequence: \\cA (RE2 writes a control character as \\x01)'],
    ['\\p{Letter}', 'invalid character class range: \\p{Letter} (RE2 names classes like \\p{L} or \\p{Greek})'],
    ['\\\\u', undefined],
    ['\\Qa', 'missing ): ^(?:\\Qa)$'],
  ])('%s: %s', (pattern, problem) => {
    expect(regexProblem(pattern)).toBe(problem);
  });

  it("reports RE2's message at the field path, and compileRegex throws it", () => {
    expect(checkRegex('(?=x)', 'spec.filters[0].headerMatcher.value')).toEqual([
      { field: 'spec.filters[0].headerMatcher.value', message: 'is not a valid RE2 regular expression: invalid perl operator: (?=' },
    ]);
    expect(() => compileRegex('(?=x)')).toThrow(/"\(\?=x\)" is not a valid RE2 regular expression: invalid perl operator/);
  });
});
