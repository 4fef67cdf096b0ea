import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStoreContract } from '../testing/contract.js';
import { createSqliteStore } from './index.js';

describeStoreContract('SQLite', {
  async open(options, location) {
    const dataDir = location ?? mkdtempSync(path.join(tmpdir(), 'meshlog-store-'));
    return { store: await createSqliteStore({ dataDir, ...options }), location: dataDir };
  },
  async remove(location) {
    rmSync(location, { recursive: true, force: true });
  },
});
