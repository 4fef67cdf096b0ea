/**
 * Splits an Envoy format string into literal text and command operators, once, at compile time.
 * The grammar is Envoy's: `%NAME%`, `%NAME(ARG)%`, `%NAME(ARG):Z%`, `%NAME:Z%`, with NAME of
 * `A-Z 0-9 _`, an argument running to the first `)`, and `%%` for a literal percent sign.
 */

export type FormatPart =
  | { readonly type: 'literal'; readonly text: string }
  | {
      readonly type: 'operator';
      readonly name: string;
      readonly arg: string | undefined;
      readonly maxLength: number | undefined;
      /** 1-based column of the opening `%`. */
      readonly column: number;
      /** The operator as written, `%REQ(:PATH):10%`. */
      readonly text: string;
    };

export interface ParsedFormat {
  readonly parts: FormatPart[];
  /** Messages for malformed operators; empty when the string parsed. */
  readonly errors: string[];
}

const percent = 37;

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95; // A-Z 0-9 _
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function parseFormat(format: string): ParsedFormat {
  const parts: FormatPart[] = [];
  const errors: string[] = [];
  let literal = '';
  let i = 0;
  const n = format.length;
  const flush = () => {
    if (literal !== '') parts.push({ type: 'literal', text: literal });
    literal = '';
  };
  while (i < n) {
    if (format.charCodeAt(i) !== percent) {
      const next = format.indexOf('%', i);
      const end = next < 0 ? n : next;
      literal += format.slice(i, end);
      i = end;
      continue;
    }
    if (format.charCodeAt(i + 1) === percent) {
      literal += '%';
      i += 2;
      continue;
    }
    const start = i;
    let j = i + 1;
    while (j < n && isNameChar(format.charCodeAt(j))) j++;
    if (j === i + 1) {
      errors.push(`malformed command operator at column ${start + 1}: '%' must be followed by an operator name (A-Z, 0-9, _) or by another '%'`);
      literal += '%';
      i++;
      continue;
    }
    const name = format.slice(i + 1, j);
    let arg: string | undefined;
    if (format.charCodeAt(j) === 40 /* ( */) {
      const close = format.indexOf(')', j);
      if (close < 0) {
        errors.push(`unterminated command operator ${format.slice(start)} at column ${start + 1}: '(' without ')'`);
        break;
      }
      arg = format.slice(j + 1, close);
      j = close + 1;
    }
    let maxLength: number | undefined;
    if (format.charCodeAt(j) === 58 /* : */ && isDigit(format.charCodeAt(j + 1))) {
      let k = j + 1;
      while (k < n && isDigit(format.charCodeAt(k))) k++;
      maxLength = Number(format.slice(j + 1, k));
      j = k;
    }
    if (format.charCodeAt(j) !== percent) {
      const shown = format.slice(start, Math.min(j + 1, n));
      errors.push(`unterminated command operator ${shown} at column ${start + 1}: expected '%' after ${JSON.stringify(format.slice(start, j))}`);
      break;
    }
    flush();
    parts.push({ type: 'operator', name, arg, maxLength, column: start + 1, text: format.slice(start, j + 1) });
    i = j + 1;
  }
  flush();
  return { parts, errors };
}
