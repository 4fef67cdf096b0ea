import { describe, expect, it } from 'vitest';
import { always, and, cel, header, negate, never, or, status } from './conditions.js';
import { toAccessLogFilter, toCel } from './filters.js';

describe('negate', () => {
  it('turns status comparisons around within uint32', () => {
    expect(negate(status('GE', 500))).toEqual(status('LE', 499));
    expect(negate(status('LE', 499))).toEqual(status('GE', 500));
    expect(negate(status('EQ', 200))).toEqual(or(status('LE', 199), status('GE', 201)));
    expect(negate(status('GE', 0))).toEqual(never);
    expect(negate(status('EQ', 0))).toEqual(status('GE', 1));
  });

  it('inverts header matchers and applies De Morgan to and/or', () => {
    const a = header(':path', { prefix: '/a' });
    const b = header('x', { present: true });
    expect(negate(and(a, b))).toEqual(or(header(':path', { prefix: '/a' }, true), header('x', { present: true }, true)));
    expect(negate(or(a, b))).toEqual(and(header(':path', { prefix: '/a' }, true), header('x', { present: true }, true)));
    expect(negate(negate(and(a, b)))).toEqual(and(a, b));
  });

  it('guards a CEL negation with what the expression needs, and gives up on inexact ones', () => {
    expect(negate(cel('x == 1', true, 'has(x)'))).toEqual(cel('!has(x) || !(x == 1)'));
    expect(negate(cel('x == 1'))).toEqual(cel('!(x == 1)'));
    expect(negate(cel('x == 1', false))).toEqual(always);
  });
});

describe('simplify', () => {
  it('folds constants and flattens', () => {
    const a = status('EQ', 1);
    expect(and(always, a)).toEqual(a);
    expect(and(never, a)).toEqual(never);
    expect(or(always, a)).toEqual(always);
    expect(or(never, a)).toEqual(a);
    expect(and()).toEqual(always);
    expect(or()).toEqual(never);
    expect(and(a, and(a, a))).toEqual({ kind: 'and', items: [a, a, a] });
  });
});

describe('toAccessLogFilter', () => {
  it('writes nothing for always and refuses never', () => {
    expect(toAccessLogFilter(always)).toBeUndefined();
    expect(() => toAccessLogFilter(never)).toThrow(/dropped/);
  });

  it('joins the CEL parts of one and into a single expression', () => {
    const filter = toAccessLogFilter(and(cel('a'), status('GE', 500), cel('b || c')));
    expect(filter).toEqual({
      and_filter: {
        filters: [
          { extension_filter: expect.objectContaining({ typed_config: expect.objectContaining({ expression: 'a && (b || c)' }) }) },
          { status_code_filter: { comparison: { op: 'GE', value: { default_value: 500, runtime_key: 'meshlog.status_code' } } } },
        ],
      },
    });
  });
});

describe('toCel', () => {
  it('writes Envoy attributes', () => {
    expect(toCel(and(status('GE', 500), header('x-a', { exact: 'v' }, true)))).toBe(
      'response.code >= 500 && (!("x-a" in request.headers && request.headers["x-a"] == "v"))',
    );
    expect(toCel(header(':path', { regex: '/a+' }))).toBe('has(request.path) && request.path.matches("^(?:/a+)$")');
    expect(toCel(header(':method', { exact: 'GET' }))).toBe('has(request.method) && request.method == "GET"');
    expect(toCel(header('x-n', { range: { start: '11', end: '9223372036854775807' } }))).toBe('"x-n" in request.headers && int(request.headers["x-n"]) >= 11');
    expect(toCel(header('x-n', { range: { start: '-9223372036854775808', end: '21' } }))).toBe('"x-n" in request.headers && int(request.headers["x-n"]) < 21');
  });
});
