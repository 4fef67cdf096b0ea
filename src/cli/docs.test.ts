/**
 * The docs stay true to the code: the generated sections (CLI flags, resource kinds, HTTP routes)
 * match what the code would generate now, and every relative Markdown link leads somewhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../../scripts/docs/generate.js';
import { anchorsOf, brokenLinks } from '../../scripts/docs/links.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('docs', () => {
  it('have their generated sections up to date', async () => {
    for (const { file, content } of await generateDocs(root)) {
      expect(readFileSync(path.join(root, file), 'utf8'), `${file} is out of date with the code: run npm run docs and commit the result`).toBe(content);
    }
  });

  it('have no broken relative links', () => {
    expect(brokenLinks(root)).toEqual([]);
  });

  it('name anchors as GitHub does', () => {
    const anchors = anchorsOf('# meshlog\n## `meshlog logs`\n## Storage & retention\n## Storage\n```\n# not a heading\n```\n## Storage\n');
    expect([...anchors]).toEqual(['meshlog', 'meshlog-logs', 'storage--retention', 'storage', 'storage-1']);
  });
});
