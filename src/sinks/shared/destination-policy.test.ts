import { describe, expect, it } from 'vitest';
import { addressProblem, createSinkPolicy, filePathProblem, guardedLookup, hostProblem } from './destination-policy.js';

const open = createSinkPolicy({ fileRoots: ['/data/logs'] });
const listed = createSinkPolicy({ fileRoots: ['/data/logs'], allowHosts: ['collector.logging.svc', '10.0.0.0/8', 'fd00::/8', '169.254.170.2'] });

describe('sink destination policy', () => {
  it('refuses link-local and metadata addresses unless an entry names them explicitly', () => {
    expect(hostProblem('169.254.169.254', open)).toBe(
      '169.254.169.254 is a link-local or cloud metadata address; only an explicit --sink-allow-host for it allows it',
    );
    expect(hostProblem('[fe80::1]', open)).toMatch(/link-local/);
    expect(hostProblem('::ffff:169.254.169.254', open)).toMatch(/link-local/);
    expect(hostProblem('100.100.100.200', open)).toMatch(/metadata/);
    expect(hostProblem('metadata.google.internal', open)).toBe(
      'metadata.google.internal is a cloud metadata service; only an explicit --sink-allow-host for it allows it',
    );
    // The ECS agent's address, named on its own, is explicit; a catch-all CIDR is not.
    expect(hostProblem('169.254.170.2', listed)).toBeUndefined();
    expect(hostProblem('169.254.169.254', listed)).toMatch(/link-local/);
    expect(hostProblem('169.254.169.254', createSinkPolicy({ fileRoots: [], allowHosts: ['0.0.0.0/0'] }))).toMatch(/link-local/);
  });

  it('allows any other host without an allowlist, and only listed names, IPs and CIDRs with one', () => {
    expect(hostProblem('logs.example.com', open)).toBeUndefined();
    expect(hostProblem('127.0.0.1', open)).toBeUndefined();
    expect(hostProblem('10.1.2.3', listed)).toBeUndefined();
    expect(hostProblem('collector.logging.svc', listed)).toBeUndefined();
    expect(hostProblem('192.168.1.1', listed)).toBe(
      '192.168.1.1 is not allowed by --sink-allow-host (allowed: collector.logging.svc, 10.0.0.0/8, fd00::/8, 169.254.170.2)',
    );
    expect(addressProblem('192.168.1.1', 'logs.example.com', listed)).toMatch(/^logs\.example\.com \(192\.168\.1\.1\) is not allowed/);
    // A name not listed may still resolve into a listed CIDR: that is decided after DNS.
    expect(hostProblem('other.svc', listed)).toBeUndefined();
    expect(hostProblem('other.svc', createSinkPolicy({ fileRoots: [], allowHosts: ['collector.logging.svc'] }))).toMatch(/not allowed/);
  });

  it('checks nothing about hosts offline, where the server flags are unknown', () => {
    expect(hostProblem('169.254.169.254', undefined)).toBeUndefined();
  });

  it('refuses a malformed allowlist entry when the server starts', () => {
    expect(() => createSinkPolicy({ fileRoots: [], allowHosts: ['10.0.0.0/33'] })).toThrow('--sink-allow-host 10.0.0.0/33 has an invalid prefix length.');
    expect(() => createSinkPolicy({ fileRoots: [], allowHosts: ['http://x'] })).toThrow(/is neither a host name, an IP address nor a CIDR/);
  });

  it('resolves a name before connecting and refuses it when an address it leads to is not allowed', async () => {
    const lookup = (policy: typeof open) =>
      new Promise<string>((resolve, reject) =>
        guardedLookup(policy)('localhost', { family: 4 }, (err, address) => (err ? reject(err) : resolve(address as string))),
      );
    await expect(lookup(open)).resolves.toBe('127.0.0.1');
    await expect(lookup(listed)).rejects.toThrow('Refusing to connect: localhost (127.0.0.1) is not allowed by --sink-allow-host');
  });

  it("keeps file sinks under the roots and refuses '..' anywhere", () => {
    expect(filePathProblem('/data/logs/app/access.log', open)).toBeUndefined();
    expect(filePathProblem('/data/logs-other/access.log', open)).toMatch(
      /is outside the directories file backends may write to \(\/data\/logs; set with --file-sink-root\)/,
    );
    expect(filePathProblem('/data/logs/../meshlog.db', open)).toMatch(/contains '\.\.'/);
    expect(filePathProblem('/data/logs/../meshlog.db', undefined)).toMatch(/contains '\.\.'/);
    expect(filePathProblem('/anywhere/at/all.log', undefined)).toBeUndefined();
  });
});
