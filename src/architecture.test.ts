/**
 * The folders under `src/` are layers (docs/architecture.md): a folder imports only the folders
 * above it in that document's table, no files import each other in a circle, `model/` imports
 * nothing from `src/`, and no product file imports a `testing/` folder. The import graph comes from
 * dependency-cruiser, the table from the document, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);

/** The first column of the layers table, in order: `model`, `util`, ... */
function documentedLayers(): string[] {
  const doc = readFileSync(new URL('docs/architecture.md', root), 'utf8');
  const table = doc.slice(doc.indexOf('<!-- layers'));
  return [...table.matchAll(/^\| `([a-z-]+)\/` \|/gm)].map((m) => m[1]!);
}

const folderOf = (file: string) => file.split('/')[1] ?? '';

describe('architecture', () => {
  let result: ICruiseResult;
  const layers = documentedLayers();

  beforeAll(async () => {
    const cruised = await cruise(['src'], {
      ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }] },
      validate: true,
      parser: 'swc',
      tsPreCompilationDeps: true,
      baseDir: new URL('.', root).pathname,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '\\.test\\.ts$|src/bench/' },
    });
    result = cruised.output as ICruiseResult;
  }, 60_000);

  it('reads every product folder from the table, and the table names no folder that is gone', () => {
    const folders = new Set(result.modules.filter((m) => m.source.startsWith('src/') && m.source.split('/').length > 2).map((m) => folderOf(m.source)));
    expect(layers.length).toBeGreaterThan(10);
    expect([...folders].filter((f) => !layers.includes(f))).toEqual([]);
    expect(layers.filter((l) => l !== 'bench' && !folders.has(l))).toEqual([]);
  });

  it('has no file-level import cycle', () => {
    const cycles = result.summary.violations.filter((v) => v.rule.name === 'no-circular').map((v) => `${v.from} -> ${v.to}`);
    expect(cycles).toEqual([]);
  });

  it('imports only down the layers: every folder-level edge points to a folder above in the table', () => {
    const upward: string[] = [];
    for (const m of result.modules.filter((x) => !x.source.includes('/testing/'))) {
      const from = folderOf(m.source);
      for (const d of m.dependencies) {
        if (!d.resolved.startsWith('src/')) continue;
        const to = folderOf(d.resolved);
        if (to !== from && layers.indexOf(to) >= layers.indexOf(from)) upward.push(`${m.source} -> ${d.resolved}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps model/ free of any other src/ import', () => {
    const model = result.modules.filter((m) => m.source.startsWith('src/model/'));
    expect(model.length).toBeGreaterThan(0);
    expect(
      model.flatMap((m) =>
        m.dependencies.filter((d) => d.resolved.startsWith('src/') && !d.resolved.startsWith('src/model/')).map((d) => `${m.source} -> ${d.resolved}`),
      ),
    ).toEqual([]);
  });

  it('ships no test helper: product files never import a testing/ folder', () => {
    const helpers = result.modules.filter((m) => m.source.includes('/testing/'));
    expect(helpers.length).toBeGreaterThan(0);
    const offenders = result.modules
      .filter((m) => !m.source.includes('/testing/'))
      .flatMap((m) => m.dependencies.filter((d) => d.resolved.includes('/testing/')).map((d) => `${m.source} -> ${d.resolved}`));
    expect(offenders).toEqual([]);
  });
});
