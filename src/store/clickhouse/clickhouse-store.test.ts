import { describeStoreContract } from '../testing/contract.js';
import { clickHouseTarget } from './config.js';
import { createClickHouseStore } from './index.js';
import { clickHouseUrl, dropDatabase, freshDatabase } from './testing/harness.js';

// The real server and wire protocol: Debian's clickhouse-server 18.16 over HTTP, the batch-id check for retries.
describeStoreContract('ClickHouse 18.16', {
  async open(options, location) {
    const database = location ?? freshDatabase();
    const url = new URL(clickHouseUrl());
    const target = clickHouseTarget(`clickhouse://default:@${url.host}/${database}`);
    return { store: await createClickHouseStore({ target, partitionUs: 100_000, retryInitialMs: 20, ...options }), location: database };
  },
  remove: dropDatabase,
});
