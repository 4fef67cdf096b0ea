/**
 * Every violation of an AccessLogRecord spec: the schema's, then the rules it cannot express.
 */

import { field, index, type Violation } from '../../model/violations.js';
import { checkRegex } from '../../util/re2.js';
import { checkSchema } from '../schema-check.js';
import { AccessLogRecordSpec } from './schema.js';

/** An HTTP header name (RFC 9110 token), or an HTTP/2 pseudo-header such as `:path`. */
const headerName = /^:?[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function validateAccessLogRecord(spec: unknown, path: string): Violation[] {
  const out = checkSchema(AccessLogRecordSpec, spec ?? {}, path);
  if (typeof spec !== 'object' || spec === null) return out;
  const s = spec as Partial<AccessLogRecordSpec>;
  const filters = Array.isArray(s.filters) ? s.filters : [];
  filters.forEach((filter, i) => {
    if (typeof filter !== 'object' || filter === null) return;
    const at = index(field(path, 'filters'), i);
    const { statusCodeMatcher: status, headerMatcher: header } = filter;
    if (status && header) out.push({ field: at, message: "must have only one of 'statusCodeMatcher' and 'headerMatcher'" });
    if (!status && !header) out.push({ field: at, message: "must have one of 'statusCodeMatcher' and 'headerMatcher'" });
    if (status && Number.isInteger(status.value) && (status.value < 100 || status.value > 599)) {
      out.push({ field: field(field(at, 'statusCodeMatcher'), 'value'), message: 'must be an HTTP status code from 100 to 599' });
    }
    if (header && typeof header.name === 'string') {
      const h = field(at, 'headerMatcher');
      if (header.name === '') out.push({ field: field(h, 'name'), message: 'must be set' });
      else if (!headerName.test(header.name)) out.push({ field: field(h, 'name'), message: `"${header.name}" is not a valid header name` });
      if (header.regex && typeof header.value === 'string') out.push(...checkRegex(header.value, field(h, 'value')));
      if (header.regex && header.value === undefined) out.push({ field: field(h, 'value'), message: "must be set when 'regex' is true" });
    }
  });
  for (const key of ['includedRequestHeaders', 'includedResponseHeaders', 'includedResponseTrailers'] as const) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    list.forEach((name, i) => {
      if (typeof name === 'string' && !headerName.test(name)) out.push({ field: index(field(path, key), i), message: `"${name}" is not a valid header name` });
    });
  }
  const states = s.includedFilterStateObjects;
  if (Array.isArray(states)) {
    states.forEach((name, i) => {
      if (name === '') out.push({ field: index(field(path, 'includedFilterStateObjects'), i), message: 'must not be empty' });
    });
  }
  return out;
}
