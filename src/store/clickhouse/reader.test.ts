import { describe, expect, it } from 'vitest';
import { isPartGone } from './reader.js';

describe('isPartGone', () => {
  it('knows the answer of an old server whose parts were dropped under a query, and nothing else', () => {
    // As ClickHouse 18.16 answered a SELECT while retention dropped a partition (seen in this project's CI).
    const raced =
      'Poco::Exception. Code: 1000, e.code() = 2, e.displayText() = File not found: /tmp/meshlog-clickhouse-SPqphU/data/data/meshlog_test_d5b9d74271cb/entries/tmp_delete_17000000004_5_5_0, e.what() = File not found';
    expect(isPartGone(new Error(raced))).toBe(true);
    expect(isPartGone(new Error('Code: 60. DB::Exception: Table meshlog.entries does not exist'))).toBe(false);
    expect(isPartGone(new Error('File not found: /etc/clickhouse-server/users.xml'))).toBe(false);
    expect(isPartGone('File not found: /x/tmp_delete_1')).toBe(false);
  });
});
