/**
 * `START_TIME(fmt)`: strftime as Envoy renders it (absl `FormatTime` plus Envoy's `%s` and
 * `%f`/`%Nf`), always in UTC. A format compiles once into segments; the part that depends only on
 * the whole second is cached, so entries within the same second pay for the fraction alone.
 */
import { type CivilDate, civilFromDays } from '../util/civil-date.js';

/** Envoy's default, `%START_TIME%` with no argument. */
export const defaultStartTimeFormat = '%Y-%m-%dT%H:%M:%E3SZ';

export type TimeFormatter = (seconds: number, nanos: number) => string;

/** A broken-down UTC time, reused between calls (no allocation per entry). */
interface Civil extends CivilDate {
  seconds: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
}

type SecondField = (t: Civil) => string;

/** A literal, a field of the whole second, or a fraction of `digits` digits (0 = trimmed, `%E*`). */
type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'second'; readonly field: SecondField }
  | { readonly kind: 'fraction'; readonly digits: number; readonly dot: boolean };

const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const shortDays = days.map((d) => d.slice(0, 3));
const shortMonths = months.map((m) => m.slice(0, 3));
const twoDigits = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const spaced = Array.from({ length: 32 }, (_, i) => (i < 10 ? ` ${i}` : String(i)));

const pad2 = (n: number) => twoDigits[n]!;
const hour12 = (t: Civil) => (t.hour % 12 === 0 ? 12 : t.hour % 12);
const year4 = (t: Civil) => (t.year >= 0 && t.year < 10000 ? String(t.year).padStart(4, '0') : String(t.year));

const fields: Record<string, SecondField> = {
  Y: year4,
  C: (t) => pad2(Math.floor(t.year / 100) % 100),
  y: (t) => pad2(((t.year % 100) + 100) % 100),
  m: (t) => pad2(t.month),
  d: (t) => pad2(t.day),
  e: (t) => spaced[t.day]!,
  H: (t) => pad2(t.hour),
  k: (t) => spaced[t.hour]!,
  I: (t) => pad2(hour12(t)),
  l: (t) => spaced[hour12(t)]!,
  M: (t) => pad2(t.minute),
  S: (t) => pad2(t.second),
  j: (t) => String(t.yearDay).padStart(3, '0'),
  a: (t) => shortDays[t.weekday]!,
  A: (t) => days[t.weekday]!,
  b: (t) => shortMonths[t.month - 1]!,
  h: (t) => shortMonths[t.month - 1]!,
  B: (t) => months[t.month - 1]!,
  p: (t) => (t.hour < 12 ? 'AM' : 'PM'),
  u: (t) => String(t.weekday === 0 ? 7 : t.weekday),
  w: (t) => String(t.weekday),
  s: (t) => String(t.seconds),
  z: () => '+0000',
  Z: () => 'UTC',
};

/** Composite specifiers, expanded before compiling. */
const composites: Record<string, string> = {
  T: '%H:%M:%S',
  F: '%Y-%m-%d',
  D: '%m/%d/%y',
  R: '%H:%M',
  c: '%a %b %e %H:%M:%S %Y',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
  r: '%I:%M:%S %p',
};

/** Compiles a strftime format; returns an error message for an unknown specifier. */
export function compileTimeFormat(format: string): TimeFormatter | string {
  const segments: Segment[] = [];
  const error = compileInto(format, segments);
  if (error !== undefined) return error;
  return timeFormatter(mergeLiterals(segments));
}

function compileInto(format: string, out: Segment[]): string | undefined {
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c !== '%') {
      out.push({ kind: 'literal', text: c });
      i++;
      continue;
    }
    const spec = format[i + 1];
    if (spec === undefined) return `time format ${JSON.stringify(format)} ends with a lone '%'`;
    if (spec === '%') out.push({ kind: 'literal', text: '%' });
    else if (spec === 'n') out.push({ kind: 'literal', text: '\n' });
    else if (spec === 't') out.push({ kind: 'literal', text: '\t' });
    else if (spec === 'f') out.push({ kind: 'fraction', digits: 9, dot: false });
    else if (spec >= '1' && spec <= '9' && format[i + 2] === 'f') {
      out.push({ kind: 'fraction', digits: Number(spec), dot: false });
      i++;
    } else if (spec === 'E') {
      // absl: %Ez (+00:00), %E#S / %E*S (seconds with # or all significant fraction digits), %E#f / %E*f.
      const width = format[i + 2];
      if (width === 'z') {
        out.push({ kind: 'literal', text: '+00:00' });
        i++;
      } else if (width !== undefined && (width === '*' || (width >= '0' && width <= '9')) && (format[i + 3] === 'S' || format[i + 3] === 'f')) {
        const digits = width === '*' ? 0 : Number(width);
        if (format[i + 3] === 'S') out.push({ kind: 'second', field: fields['S']! });
        if (width === '*' || digits > 0) out.push({ kind: 'fraction', digits, dot: format[i + 3] === 'S' });
        i += 2;
      } else {
        return `unknown time specifier ${JSON.stringify(format.slice(i, i + 4))}`;
      }
    } else if (composites[spec] !== undefined) {
      const error = compileInto(composites[spec], out);
      if (error !== undefined) return error;
    } else if (fields[spec] !== undefined) {
      out.push({ kind: 'second', field: fields[spec] });
    } else {
      return `unknown time specifier %${spec}`;
    }
    i += 2;
  }
  return undefined;
}

function mergeLiterals(segments: Segment[]): Segment[] {
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (s.kind === 'literal' && last?.kind === 'literal') merged[merged.length - 1] = { kind: 'literal', text: last.text + s.text };
    else merged.push(s);
  }
  return merged;
}

function timeFormatter(segments: readonly Segment[]): TimeFormatter {
  const civil: Civil = { seconds: NaN, year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0, yearDay: 0 };
  // Rendered text of each segment for `civil.seconds`; fraction segments are filled per call.
  const cache: string[] = segments.map((s) => (s.kind === 'literal' ? s.text : ''));
  const hasFraction = segments.some((s) => s.kind === 'fraction');
  let whole = '';
  return (seconds, nanos) => {
    if (seconds !== civil.seconds) {
      toCivil(seconds, civil);
      whole = '';
      for (let i = 0; i < segments.length; i++) {
        const s = segments[i]!;
        if (s.kind === 'second') cache[i] = s.field(civil);
        whole += cache[i];
      }
    }
    if (!hasFraction) return whole;
    let out = '';
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      out += s.kind === 'fraction' ? fraction(nanos, s.digits, s.dot) : cache[i];
    }
    return out;
  };
}

const zeros = '000000000';
const scale = [1, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1];

/** The first `digits` digits of the fraction (truncated, as Envoy does); `digits` 0 trims trailing zeros. */
function fraction(nanos: number, digits: number, dot: boolean): string {
  if (digits === 0) {
    if (nanos === 0) return '';
    let text = String(nanos);
    text = zeros.slice(text.length) + text;
    let end = 9;
    while (text.charCodeAt(end - 1) === 48) end--;
    return (dot ? '.' : '') + text.slice(0, end);
  }
  const text = String(Math.floor(nanos / scale[digits]!));
  const padded = text.length < digits ? zeros.slice(0, digits - text.length) + text : text;
  return dot ? `.${padded}` : padded;
}

const cumulativeDays = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Calendar fields of an epoch second, on a reused object. */
function toCivil(seconds: number, t: Civil): void {
  const dayNumber = Math.floor(seconds / 86400);
  const secondOfDay = seconds - dayNumber * 86400;
  t.seconds = seconds;
  t.hour = Math.floor(secondOfDay / 3600);
  t.minute = Math.floor((secondOfDay % 3600) / 60);
  t.second = secondOfDay % 60;
  t.weekday = (((dayNumber + 4) % 7) + 7) % 7;
  civilFromDays(dayNumber, t);
  const leap = (t.year % 4 === 0 && t.year % 100 !== 0) || t.year % 400 === 0;
  t.yearDay = cumulativeDays[t.month - 1]! + t.day + (leap && t.month > 2 ? 1 : 0);
}
