/**
 * Shell completion: the candidates for a command line (commands, flags, flag choices, kinds,
 * contexts, and proxy and resource names from a running server), and the bash script driving
 * the real command through `meshlog __complete`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { type RunningServer, runServer } from '../runtime/serve.js';
import { silentLogger } from '../telemetry/logger.js';
import { completions, serverSources } from './completion.js';
import { runMeshlog } from './testing/run-meshlog.js';

/** Whether a shell is installed here (zsh and fish are not everywhere; bash is). */
function has(shell: string): boolean {
  try {
    execFileSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

import { buildProgram } from './program.js';

describe('completion', { timeout: 120_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let target: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-completion-'));
    server = await runServer({ dataDir: path.join(dir, 'data'), alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() });
    target = `127.0.0.1:${server.httpPort}`;
    await fetch(`http://${target}/api/v1/resources`, {
      method: 'POST',
      body: 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: reviews-errors, namespace: gloo-mesh}\nspec: {}\n',
    });
    const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
    const stream = als.open();
    await stream.write({ identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'), httpLogs: { logEntry: [httpEntry('/a')] } });
    await stream.end();
    als.close();
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const complete = (...words: string[]) => completions(buildProgram(), words, { ...serverSources, contexts: () => ['lab', 'prod'] });

  it('offers commands, flags and the choices of a flag', async () => {
    expect(await complete('tr')).toEqual(['trace']);
    expect(await complete('')).not.toContain('__complete');
    expect(await complete('logs', '--from-')).toEqual(['--from-workload', '--from-namespace']);
    expect(await complete('logs', '--direction', '')).toEqual(['inbound', 'outbound']);
    expect(await complete('render', 'x', '-o', 'm')).toEqual(['meshproxypatch']);
    expect(await complete('logs', '--context', 'p')).toEqual(['prod']);
    expect(await complete('config', 'use')).toEqual(['use-context']);
    expect(await complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('offers kinds, and proxy and resource names from the server', async () => {
    expect(await complete('get', 'MeshAccessLog')).toEqual(['MeshAccessLog', 'MeshAccessLogBackend']);
    expect(await complete('inspect', '--server', target, 'rev')).toEqual(['reviews-v1']);
    expect(await complete('describe', '--server', target, 'accesslogrecords', '')).toEqual(['reviews-errors']);
    // A server that is away gives no names, and no error.
    expect(await complete('inspect', '--server', '127.0.0.1:1', '')).toEqual([]);
  });

  it('works from bash through the script and the real command', async () => {
    const bin = path.join(dir, 'bin');
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    writeFileSync(path.join(dir, 'meshlog'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${main}" "$@"\n`);
    chmodSync(path.join(dir, 'meshlog'), 0o755);
    const script = `source <(meshlog completion bash); COMP_WORDS=(meshlog logs --kind ''); COMP_CWORD=3; _meshlog; echo "\${COMPREPLY[*]}"`;
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      env: { ...process.env, PATH: `${dir}:${bin}:${process.env['PATH']}` },
      cwd: path.resolve(path.dirname(main), '../..'),
      timeout: 60_000,
    });
    expect(stdout).toBe('http tcp\n');
  });

  for (const shell of ['zsh', 'fish']) {
    it.skipIf(!has(shell))(`prints a ${shell} script that ${shell} parses`, async () => {
      const { stdout } = await runMeshlog(['completion', shell]);
      writeFileSync(path.join(dir, `meshlog.${shell}`), stdout);
      // -n: parse without running (the script calls compdef / complete, which need an interactive shell).
      expect(() => execFileSync(shell, ['-n', path.join(dir, `meshlog.${shell}`)], { stdio: 'pipe' })).not.toThrow();
    });
  }
});
