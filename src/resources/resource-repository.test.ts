import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kinds } from '../api/kinds.js';
import { loadResources, maxResourceText } from '../api/load-yaml.js';
import { silentLogger } from '../telemetry/logger.js';
import { createResourceRepository, ResourceConflictError, type ResourceRepository } from './resource-repository.js';

const dirs: string[] = [];
const repos: ResourceRepository[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'meshlog-res-'));
  dirs.push(d);
  return d;
};

afterEach(async () => {
  for (const r of repos.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(dataDir: string, configDir?: string) {
  const repo = createResourceRepository({ dataDir, configDir, kinds, logger: silentLogger() });
  repos.push(repo);
  await repo.start();
  return repo;
}

const record = (name: string, status = 500) =>
  `apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: ${name}, namespace: gloo-mesh}\nspec:\n  filters: [{statusCodeMatcher: {value: ${status}, comparator: GE}}]\n`;
const parsed = (text: string) => loadResources(text, 'test').resources.map((r) => r.resource);

async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('resource repository', () => {
  it('applies through the API with created / configured / unchanged, and keeps it across restarts', async () => {
    const dataDir = tempDir();
    const repo = await open(dataDir);
    expect(repo.apply(parsed(record('a'))).map((r) => r.outcome)).toEqual(['created']);
    expect(repo.apply(parsed(record('a'))).map((r) => r.outcome)).toEqual(['unchanged']);
    expect(repo.apply(parsed(record('a', 400))).map((r) => r.outcome)).toEqual(['configured']);
    expect(repo.get('AccessLogRecord', 'gloo-mesh', 'a')?.generation).toBe(2);
    const again = await open(dataDir);
    expect(again.list().map((r) => r.resource.name)).toEqual(['a']);
    expect(again.delete('AccessLogRecord', 'gloo-mesh', 'a')).toBe(true);
    expect(again.delete('AccessLogRecord', 'gloo-mesh', 'a')).toBe(false);
    expect((await open(dataDir)).list()).toEqual([]);
  });

  it('loads --config-dir, follows changes without restart, and keeps a broken file’s last valid resources', async () => {
    const configDir = tempDir();
    writeFileSync(path.join(configDir, 'records.yaml'), `${record('from-file')}---\n${record('second')}`);
    writeFileSync(path.join(configDir, 'notes.txt'), 'not a resource');
    const repo = await open(tempDir(), configDir);
    let changes = 0;
    repo.subscribe(() => changes++);
    expect(
      repo
        .list()
        .map((r) => r.resource.name)
        .sort(),
    ).toEqual(['from-file', 'second']);
    expect(repo.get('AccessLogRecord', 'gloo-mesh', 'from-file')?.origin).toBe(path.join(configDir, 'records.yaml'));

    writeFileSync(path.join(configDir, 'records.yaml'), record('from-file', 404));
    await eventually(() => repo.list().length === 1);
    expect((repo.list()[0]!.resource.spec as any).filters[0].statusCodeMatcher.value).toBe(404);

    writeFileSync(path.join(configDir, 'records.yaml'), `${record('from-file')}  oops: [\n`);
    await eventually(() => repo.problems().length > 0);
    expect(repo.problems()[0]).toMatchObject({ source: path.join(configDir, 'records.yaml') });
    expect(repo.list().map((r) => r.resource.name)).toEqual(['from-file']);

    writeFileSync(path.join(configDir, 'other.yaml'), record('from-file', 300));
    writeFileSync(path.join(configDir, 'records.yaml'), record('from-file'));
    await eventually(() => repo.problems().some((p) => /also defined/.test(p.message)));

    unlinkSync(path.join(configDir, 'records.yaml'));
    unlinkSync(path.join(configDir, 'other.yaml'));
    await eventually(() => repo.list().length === 0);
    expect(changes).toBeGreaterThan(0);
  });

  it('refuses to change or delete through the API what a config file defines', async () => {
    const configDir = tempDir();
    writeFileSync(path.join(configDir, 'r.yaml'), record('owned'));
    const repo = await open(tempDir(), configDir);
    expect(() => repo.apply(parsed(record('owned', 400)))).toThrow(ResourceConflictError);
    expect(() => repo.apply(parsed(record('owned', 400)))).toThrow(/defined in .*r\.yaml; change it there/);
    expect(() => repo.delete('AccessLogRecord', 'gloo-mesh', 'owned')).toThrow(/remove it there/);
  });

  it('reports a billion-laughs file as a problem at its document, at start and on reload, and keeps the last good set', async () => {
    const configDir = tempDir();
    writeFileSync(path.join(configDir, 'records.yaml'), record('good'));
    writeFileSync(path.join(configDir, 'bomb.yaml'), `${record('before-bomb')}---\n${billionLaughs}`);
    const repo = await open(tempDir(), configDir);
    expect(repo.list().map((r) => r.resource.name)).toEqual(['good']);
    expect(repo.problems()).toEqual([
      expect.objectContaining({
        source: path.join(configDir, 'bomb.yaml'),
        line: 7,
        message: expect.stringMatching(/^document 2 cannot be read: Excessive alias count/),
      }),
    ]);

    // While running: the good file turns into a bomb too; the server keeps what it had.
    writeFileSync(path.join(configDir, 'records.yaml'), billionLaughs);
    await eventually(() => repo.problems().length === 2);
    expect(repo.list().map((r) => r.resource.name)).toEqual(['good']);

    // And a file over the size limit is refused without being read.
    writeFileSync(path.join(configDir, 'huge.yaml'), `# ${'x'.repeat(maxResourceText)}\n`);
    await eventually(() => repo.problems().some((p) => /huge\.yaml/.test(p.source) && /resources are read from at most 1048576 bytes/.test(p.message)));
  });
});

/** Nine levels of nine aliases: 387 million strings once expanded. */
const billionLaughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat([...'bcdefghi'].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`))
  .join('\n');
