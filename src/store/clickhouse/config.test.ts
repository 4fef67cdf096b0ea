import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clickHouseTarget, describeTarget, withClickHouseFlags } from './config.js';

describe('the ClickHouse --store URL and --clickhouse-* flags', () => {
  it('reads user, password, host, port and database, with defaults for what is left out', () => {
    expect(clickHouseTarget('clickhouse://meshlog:s%40cret@ch.example:9123/logs')).toMatchObject({
      url: 'http://ch.example:9123',
      username: 'meshlog',
      password: 's@cret',
      database: 'logs',
    });
    expect(clickHouseTarget('clickhouse://ch.example')).toMatchObject({
      url: 'http://ch.example:8123',
      username: 'default',
      password: '',
      database: 'meshlog',
    });
    expect(clickHouseTarget('clickhouse+https://ch.example/logs')).toMatchObject({ url: 'https://ch.example:8443' });
    expect(describeTarget(clickHouseTarget('clickhouse://u:secret@h:8123/db'))).toBe('http://h:8123/db as u');
  });

  it('carries the flags in the URL, so a worker that has only the spec has them too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-ch-tls-'));
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, 'CA');
    const spec = withClickHouseFlags('clickhouse://u:p@h:8123/db', { caFile: ca, cluster: 'main' });
    expect(clickHouseTarget(spec)).toMatchObject({ url: 'https://h:8123', cluster: 'main', tls: { caCert: Buffer.from('CA') } });
    expect(withClickHouseFlags('sqlite', {})).toBe('sqlite');
    expect(clickHouseTarget(withClickHouseFlags('clickhouse://h/db', { tls: true })).url).toBe('https://h:8443');
    rmSync(dir, { recursive: true, force: true });
  });

  it('names what is wrong', () => {
    expect(() => clickHouseTarget('clickhouse://h/bad-name')).toThrow(/database "bad-name" must be letters, digits and underscores/);
    expect(() => clickHouseTarget('clickhouse://h/db?bogus=1')).toThrow(/unknown parameter "bogus"/);
    expect(() => clickHouseTarget('clickhouse://h/db?cert=a.pem')).toThrow(/--clickhouse-cert and --clickhouse-key go together/);
    expect(() => clickHouseTarget('clickhouse://h/db?ca=/nonexistent/ca.pem')).toThrow(/--clickhouse-ca: cannot read \/nonexistent\/ca.pem/);
    expect(() => clickHouseTarget('clickhouse://h/db?cluster=a%20b')).toThrow(/--clickhouse-cluster: "a b" is not a cluster name/);
    expect(() => withClickHouseFlags('sqlite', { cluster: 'main' })).toThrow(/--clickhouse-cluster is for a ClickHouse --store/);
  });
});
