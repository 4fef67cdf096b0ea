import { describe, expect, it } from 'vitest';
import type { DecodedEntry } from '../model/entry.js';
import { createRedactionPolicy, redactEntry, redactQuery } from './redaction.js';

const params = createRedactionPolicy().queryParams;

function entry(request: Record<string, unknown>, responseHeaders: Record<string, string> = {}): DecodedEntry {
  return { request, response: { responseHeaders } } as unknown as DecodedEntry;
}

describe('redaction', () => {
  it('redacts the values of named query parameters, whatever their case or escaping, and keeps the rest', () => {
    expect(redactQuery('/cb?code=abc&state=xyz', params)).toBe('/cb?code=[redacted]&state=xyz');
    expect(redactQuery('/s3/o?X-Amz-Signature=f00&X-Amz-Credential=AKIA%2F1&x=1#frag', params)).toBe(
      '/s3/o?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&x=1#frag',
    );
    expect(redactQuery('/a?access%5Ftoken=t&sig=s&token', params)).toBe('/a?access%5Ftoken=[redacted]&sig=[redacted]&token');
    expect(redactQuery('/a?%E0%A4%A=1&TOKEN=2', params)).toBe('/a?%E0%A4%A=1&TOKEN=[redacted]');
  });

  it('returns the very same string when there is nothing to redact', () => {
    const path = '/reviews/0?user=jason';
    expect(redactQuery(path, params)).toBe(path);
    expect(redactQuery('/no-query', params)).toBe('/no-query');
  });

  it('widens the defaults: cloud and CSRF tokens are sensitive headers', () => {
    const policy = createRedactionPolicy();
    for (const h of ['authorization', 'cookie', 'x-amz-security-token', 'x-csrf-token', 'x-goog-iap-jwt-assertion'])
      expect(policy.sensitiveHeaders.has(h)).toBe(true);
  });

  it('adds headers and parameters the operator names, and reveals only what the operator reveals', () => {
    const policy = createRedactionPolicy({ sensitiveHeaders: ['X-Tenant-Secret'], revealHeaders: ['Cookie'], redactQueryParams: ['Session'] });
    const e = entry(
      { path: '/x?session=s1&token=t1', requestHeaders: { 'x-tenant-secret': 'ts', cookie: 'c=1', authorization: 'Bearer b' } },
      { 'set-cookie': 'id=2' },
    );
    expect(redactEntry(e, policy, new Set())).toBe(true);
    expect(e['request']).toMatchObject({
      path: '/x?session=[redacted]&token=[redacted]',
      requestHeaders: { 'x-tenant-secret': '[redacted]', cookie: 'c=1', authorization: '[redacted]' },
    });
    expect(e['response']).toMatchObject({ responseHeaders: { 'set-cookie': '[redacted]' } });
  });

  it("keeps a header a collecting record includes, and redacts the original path and referer's queries too", () => {
    const e = entry({
      path: '/login?token=abc',
      originalPath: '/api/login?token=abc',
      referer: 'https://app.example.com/cb?access_token=zzz&tab=2',
      requestHeaders: { authorization: 'Bearer b' },
    });
    expect(redactEntry(e, createRedactionPolicy(), new Set(['authorization']))).toBe(true);
    expect(e['request']).toEqual({
      path: '/login?token=[redacted]',
      originalPath: '/api/login?token=[redacted]',
      referer: 'https://app.example.com/cb?access_token=[redacted]&tab=2',
      requestHeaders: { authorization: 'Bearer b' },
    });
    expect(redactEntry(e, createRedactionPolicy(), new Set(['authorization']))).toBe(false);
  });
});
