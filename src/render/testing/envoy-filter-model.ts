/**
 * A model of how Envoy evaluates a rendered `AccessLogFilter` on one request, for tests: status
 * and header filters, and/or, and the small CEL subset `render` writes (`==`, `.startsWith`,
 * `has()`, `!`, `&&`, `||`, parentheses), with CEL's error semantics. An expression that ends in an
 * error does not log, as in Envoy's CEL filter; `&&`/`||` absorb errors as CEL's do. This lets
 * tests evaluate the very JSON that goes to Envoy, not the conditions it was built from.
 */
import { compileRegex } from '../../util/re2.js';

export interface ModelRequest {
  readonly status: number;
  /** Request headers, lower-case names, `:path` and `:method` included. */
  readonly headers: Readonly<Record<string, string>>;
  /** The peer certificate's URI SAN; absent on plaintext connections. */
  readonly san?: string;
  readonly sni: string;
}

type Json = Record<string, unknown>;
const error = Symbol('cel error');
type CelValue = string | boolean | typeof error;

export function evaluateFilter(filter: Json | undefined, request: ModelRequest): boolean {
  if (!filter) return true;
  const [kind, body] = Object.entries(filter)[0] as [string, Json];
  switch (kind) {
    case 'and_filter':
      return (body['filters'] as Json[]).every((f) => evaluateFilter(f, request));
    case 'or_filter':
      return (body['filters'] as Json[]).some((f) => evaluateFilter(f, request));
    case 'status_code_filter': {
      const comparison = body['comparison'] as { op: string; value: { default_value: number } };
      const want = comparison.value.default_value;
      return comparison.op === 'GE' ? request.status >= want : comparison.op === 'LE' ? request.status <= want : request.status === want;
    }
    case 'header_filter':
      return headerMatches(body['header'] as Json, request.headers);
    case 'extension_filter':
      return evaluateCel((body['typed_config'] as Json)['expression'] as string, request) === true;
    default:
      throw new Error(`the model does not know ${kind}`);
  }
}

function headerMatches(matcher: Json, headers: Readonly<Record<string, string>>): boolean {
  const value = headers[matcher['name'] as string];
  let result: boolean;
  if (value === undefined) result = false;
  else if (matcher['present_match'] === true) result = true;
  else if (matcher['range_match']) {
    const range = matcher['range_match'] as { start: string; end: string };
    result = /^-?\d+$/.test(value) && BigInt(value) >= BigInt(range.start) && BigInt(value) < BigInt(range.end);
  } else {
    const sm = matcher['string_match'] as { exact?: string; prefix?: string; safe_regex?: { regex: string } };
    if (sm.exact !== undefined) result = value === sm.exact;
    else if (sm.prefix !== undefined) result = value.startsWith(sm.prefix);
    else result = compileRegex(sm.safe_regex!.regex).test(value);
  }
  return matcher['invert_match'] === true ? !result : result;
}

/** Tokens: string literals, identifiers with dots, operators, parentheses. */
function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*|==|&&|\|\||!|\(|\))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < expression.length && (m = re.exec(expression))) tokens.push(m[1]!);
  if (re.lastIndex < expression.trimEnd().length) throw new Error(`cannot tokenize CEL at ${re.lastIndex}: ${expression}`);
  return tokens;
}

export function evaluateCel(expression: string, request: ModelRequest): CelValue {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++]!;
  const attribute = (name: string): CelValue => {
    if (name === 'connection.uri_san_peer_certificate') return request.san ?? error;
    if (name === 'connection.requested_server_name') return request.sni;
    throw new Error(`unknown attribute ${name}`);
  };
  const primary = (): CelValue => {
    const t = next();
    if (t === '!') {
      const v = primary();
      return v === error ? error : !v;
    }
    if (t === '(') {
      const v = orExpr();
      if (next() !== ')') throw new Error(`expected ) in ${expression}`);
      return v;
    }
    if (t === 'has') {
      if (next() !== '(') throw new Error('has needs (');
      const name = next();
      if (next() !== ')') throw new Error('has needs )');
      return attribute(name) !== error;
    }
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t.endsWith('.startsWith')) {
      const subject = attribute(t.slice(0, -'.startsWith'.length));
      if (next() !== '(') throw new Error('startsWith needs (');
      const arg = JSON.parse(next()) as string;
      if (next() !== ')') throw new Error('startsWith needs )');
      return subject === error ? error : (subject as string).startsWith(arg);
    }
    return attribute(t);
  };
  const comparison = (): CelValue => {
    const left = primary();
    if (peek() !== '==') return left;
    next();
    const right = primary();
    return left === error || right === error ? error : left === right;
  };
  const andExpr = (): CelValue => {
    let v = comparison();
    while (peek() === '&&') {
      next();
      const r = comparison();
      v = v === false || r === false ? false : v === error || r === error ? error : true;
    }
    return v;
  };
  const orExpr = (): CelValue => {
    let v = andExpr();
    while (peek() === '||') {
      next();
      const r = andExpr();
      v = v === true || r === true ? true : v === error || r === error ? error : false;
    }
    return v;
  };
  const result = orExpr();
  if (i !== tokens.length) throw new Error(`trailing tokens in CEL: ${expression}`);
  return result;
}
