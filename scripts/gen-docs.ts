/**
 * `npm run docs`: rewrites the generated sections of the docs (see `docs/generate.ts`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDocs } from './docs/generate.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
for (const { file, content } of await generateDocs(root)) {
  const target = path.join(root, file);
  if (readFileSync(target, 'utf8') === content) continue;
  writeFileSync(target, content);
  process.stdout.write(`updated ${file}\n`);
}
