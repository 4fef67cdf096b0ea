/**
 * Kuma 2.x `rules[].matches[]`: the caller's SPIFFE ID and the requested SNI, checked as Kuma
 * checks them (go-spiffe's ID rules, a DNS-1123 subdomain) so that a policy Kuma refuses is refused here.
 */
import { field, type Violation } from '../../model/violations.js';
import { isObject } from '../shared/index.js';

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validatePeerMatch(match: unknown, path: string): Violation[] {
  if (!isObject(match)) return [];
  const out: Violation[] = [];
  const { spiffeID, sni } = match;
  if (spiffeID === undefined && sni === undefined) out.push({ field: path, message: "must have 'spiffeID' or 'sni'" });
  if (isObject(spiffeID) && typeof spiffeID['value'] === 'string') {
    const problem = spiffeProblem(spiffeID['value'], spiffeID['type'] === 'Prefix');
    if (problem) out.push({ field: field(field(path, 'spiffeID'), 'value'), message: `must be a valid Spiffe ID: ${problem}` });
  }
  if (isObject(sni) && typeof sni['value'] === 'string') {
    const value = sni['value'];
    if (value === '') out.push({ field: field(field(path, 'sni'), 'value'), message: 'must be set' });
    else if (value.length > 253 || !dns1123.test(value)) {
      out.push({
        field: field(field(path, 'sni'), 'value'),
        message:
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      });
    }
  }
  return out;
}

/** go-spiffe's messages; a prefix may stop anywhere in the path. */
function spiffeProblem(value: string, prefix: boolean): string | undefined {
  if (value === '') return 'cannot be empty';
  if (!value.startsWith('spiffe://')) return 'scheme is missing or invalid';
  const rest = value.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  if (trustDomain === '') return 'trust domain is missing';
  if (!/^[a-z0-9._-]+$/.test(trustDomain)) return 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores';
  if (path === '' || prefix) return undefined;
  if (path.endsWith('/')) return 'path cannot have a trailing slash';
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'path cannot contain empty segments';
    if (segment === '.' || segment === '..') return 'path cannot contain dot segments';
    if (!/^[A-Za-z0-9._-]+$/.test(segment)) return 'path segment characters are limited to letters, numbers, dots, dashes, and underscores';
  }
  return undefined;
}
