import { describeStoreContract } from '../testing/contract.js';
import { createClickHouseStore } from './index.js';
import { createChdbClient, freshDatabase } from './testing/harness.js';

// The current dialect: chdb (ClickHouse 26.x in-process) runs every statement the store sends, with TTL and deduplication tokens on.
describeStoreContract('ClickHouse 26.x (chdb)', {
  async open(options, location) {
    const database = location ?? freshDatabase();
    const client = await createChdbClient();
    return { store: await createClickHouseStore({ client, database, partitionUs: 100_000, retryInitialMs: 20, ...options }), location: database };
  },
  async remove(database) {
    const client = await createChdbClient();
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  },
});
