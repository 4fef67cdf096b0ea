import { describe, expect, it } from 'vitest';
import { compileTimeFormat, defaultStartTimeFormat } from './start-time.js';

/** 2016-04-15T20:17:00.310123456Z, the time of Envoy's documented example line (a Friday, day 106 of a leap year). */
const example = { seconds: Date.UTC(2016, 3, 15, 20, 17, 0) / 1000, nanos: 310_123_456 };

function render(format: string, t: { seconds: number; nanos: number } = example): string {
  const f = compileTimeFormat(format);
  if (typeof f === 'string') throw new Error(f);
  return f(t.seconds, t.nanos);
}

describe('START_TIME formats', () => {
  it.each([
    // Envoy's documented examples.
    [defaultStartTimeFormat, '2016-04-15T20:17:00.310Z'],
    ['%Y/%m/%dT%H:%M:%S%z %s', '2016/04/15T20:17:00+0000 1460751420'],
    ['%s.%3f', '1460751420.310'],
    // Fractions: Envoy's %f / %Nf (truncated, not rounded) and absl's %E#S / %E*S.
    ['%f', '310123456'],
    ['%1f|%6f|%9f', '3|310123|310123456'],
    ['%E6S', '00.310123'],
    ['%E*S', '00.310123456'],
    ['%E0S', '00'],
    ['%E3f', '310'],
    // strftime specifiers.
    ['%a %A %b %B %h', 'Fri Friday Apr April Apr'],
    ['%e|%j|%y|%C', '15|106|16|20'],
    ['%I %p|%l|%k', '08 PM| 8|20'],
    ['%T|%F|%D|%R', '20:17:00|2016-04-15|04/15/16|20:17'],
    ['%Z %z %Ez', 'UTC +0000 +00:00'],
    ['%u %w', '5 5'],
    ['%c', 'Fri Apr 15 20:17:00 2016'],
    ['100%% at %H', '100% at 20'],
    ['literal only', 'literal only'],
  ])('%s → %s', (format, expected) => {
    expect(render(format)).toBe(expected);
  });

  it.each([
    [Date.UTC(2024, 0, 5, 3, 4, 5) / 1000, '%a %e %j %I%p %y', 'Fri  5 005 03AM 24'],
    [Date.UTC(2024, 1, 29, 23, 59, 59) / 1000, '%F %T %j %a', '2024-02-29 23:59:59 060 Thu'],
    [Date.UTC(2000, 2, 1, 0, 0, 0) / 1000, '%F %j %a %I %p', '2000-03-01 061 Wed 12 AM'],
    [Date.UTC(2100, 11, 31, 12, 0, 0) / 1000, '%F %j %a', '2100-12-31 365 Fri'],
    [0, '%F %T %a', '1970-01-01 00:00:00 Thu'],
    [-1, '%F %T', '1969-12-31 23:59:59'],
  ])('civil date of %i with %s', (seconds, format, expected) => {
    expect(render(format, { seconds, nanos: 0 })).toBe(expected);
  });

  it('trims %E*S to the significant digits, and drops the dot on whole seconds', () => {
    expect(render('%E*S', { seconds: 7, nanos: 500_000_000 })).toBe('07.5');
    expect(render('%E*S', { seconds: 7, nanos: 0 })).toBe('07');
    expect(render('%3f', { seconds: 7, nanos: 1_000_000 })).toBe('001');
  });

  it('reuses the per-second part but not the fraction', () => {
    const f = compileTimeFormat(defaultStartTimeFormat);
    if (typeof f === 'string') throw new Error(f);
    expect(f(example.seconds, 1_000_000)).toBe('2016-04-15T20:17:00.001Z');
    expect(f(example.seconds, 999_999_999)).toBe('2016-04-15T20:17:00.999Z');
    expect(f(example.seconds + 61, 0)).toBe('2016-04-15T20:18:01.000Z');
  });

  it.each([
    ['%Q', 'unknown time specifier %Q'],
    ['%Y-%', 'time format "%Y-%" ends with a lone \'%\''],
    ['%E9Q', 'unknown time specifier "%E9Q"'],
  ])('refuses %s', (format, message) => {
    expect(compileTimeFormat(format)).toBe(message);
  });
});
