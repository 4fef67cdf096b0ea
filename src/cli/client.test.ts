/**
 * The CLI as a client, as a user runs it (child processes, a temporary HOME): contexts and token
 * files, what a refused token says, errors that name the flag typed, `--first`/`--all`, the
 * "none selected" hint, `meshlog version`, and `--follow` surviving a server restart.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlsClient, httpEntry, istioIdentifier } from '../collector/testing/als-client.js';
import { type RunningServer, runServer } from '../runtime/serve.js';
import { silentLogger } from '../telemetry/logger.js';
import { runMeshlog } from './testing/run-meshlog.js';

const token = 'client-test-token';
const record = 'apiVersion: observability.enterprise.mesh.gloo.solo.io/v1\nkind: AccessLogRecord\nmetadata: {name: all, namespace: gloo-mesh}\nspec: {}\n';

async function send(server: RunningServer, paths: string[], startMs = Date.now()): Promise<void> {
  const als = createAlsClient(`127.0.0.1:${server.alsPort}`);
  const stream = als.open();
  await stream.write({
    identifier: istioIdentifier('reviews-v1', 'mgmt-cluster'),
    httpLogs: { logEntry: paths.map((p, i) => httpEntry(p, { startMs: startMs + i })) },
  });
  await stream.end();
  als.close();
  await server.store.flush();
}

// Each step runs the CLI as a child process; on a loaded machine a handful of them take a while.
describe('meshlog as a client', { timeout: 120_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let hostPort: string;
  let home: Record<string, string>;
  const auth = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshlog-client-'));
    home = { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg') };
    server = await runServer({ dataDir: path.join(dir, 'data'), alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger(), authToken: token });
    hostPort = `127.0.0.1:${server.httpPort}`;
    writeFileSync(path.join(dir, 'token'), `${token}\n`);
    writeFileSync(path.join(dir, 'wrong'), 'not-the-token\n');
  });

  afterAll(async () => {
    await server?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says whether the server wants a token or refused the one given, and reads tokens from files', async () => {
    const none = await runMeshlog(['logs', '--server', hostPort], home);
    expect(none.stderr).toBe(
      `meshlog: the server at http://${hostPort} requires a token (401): give --token-file FILE, or a context with a token-file (meshlog config set-context)\n`,
    );
    const wrong = await runMeshlog(['logs', '--server', hostPort, '--token-file', path.join(dir, 'wrong')], home);
    expect(wrong.stderr).toBe(`meshlog: the server at http://${hostPort} rejected the token (401) from --token-file ${path.join(dir, 'wrong')}\n`);
    const empty = await runMeshlog(['logs', '--server', hostPort, '--token-file', path.join(dir, 'missing')], home);
    expect(empty.stderr).toMatch(/^meshlog: --token-file .*missing: cannot read it \(ENOENT\)\n$/);
    const ok = await runMeshlog(['logs', '--server', hostPort, '--token-file', path.join(dir, 'token')], home);
    expect(ok).toMatchObject({ code: 0, stdout: '' });
  });

  it('keeps contexts in $XDG_CONFIG_HOME/meshlog/config.yaml and uses the current one', async () => {
    expect((await runMeshlog(['config', 'set-context', 'lab', '--server', hostPort, '--token-file', path.join(dir, 'token')], home)).code).toBe(0);
    expect((await runMeshlog(['config', 'set-context', 'other', '--server', 'http://127.0.0.1:1'], home)).code).toBe(0);
    const file = path.join(home['XDG_CONFIG_HOME']!, 'meshlog', 'config.yaml');
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const listed = (await runMeshlog(['config', 'get-contexts'], home)).stdout.split('\n');
    expect(listed[0]).toMatch(/^CURRENT +NAME +SERVER +TOKEN-FILE$/);
    expect(listed[1]).toBe(
      `*         lab     http://${hostPort}   ${path.join(dir, 'token')}`.replace(/http:\/\/\S+ {3}/, (m) => m.padEnd(`http://${hostPort}`.length + 3)),
    );
    expect(listed[2]).toMatch(/^ +other +http:\/\/127\.0\.0\.1:1$/);
    // The current context names the server and the token: no flags needed.
    const viaContext = await runMeshlog(['logs', '--last', '1'], home);
    expect(viaContext).toMatchObject({ code: 0, stderr: '' });
    expect((await runMeshlog(['config', 'use-context', 'other'], home)).stdout).toBe('switched to context "other"\n');
    expect((await runMeshlog(['logs'], home)).stderr).toMatch(/cannot reach the meshlog server at http:\/\/127\.0\.0\.1:1/);
    expect((await runMeshlog(['logs', '--context', 'lab'], home)).code).toBe(0);
    expect((await runMeshlog(['config', 'use-context', 'nope'], home)).stderr).toMatch(/no context "nope" in .*config\.yaml \(known: lab, other\)/);
    writeFileSync(path.join(dir, 'bad.yaml'), 'contexts:\n  - name: x\n    token: secret\n');
    expect((await runMeshlog(['logs'], { ...home, MESHLOG_CONFIG: path.join(dir, 'bad.yaml') })).stderr).toMatch(
      /bad\.yaml: contexts\[0\]\.token: a token does not belong in the config file/,
    );
  });

  it('names the flag the user typed in errors', async () => {
    const args = ['--server', hostPort, '--token-file', path.join(dir, 'token')];
    expect((await runMeshlog(['logs', ...args, '--since', 'tuesday'], home)).stderr).toBe(
      'meshlog: --since: "tuesday" is neither a duration like 15m, Unix seconds, nor an RFC 3339 time (UTC when it has no zone)\n',
    );
    expect((await runMeshlog(['logs', ...args, '--status', 'teapot', '--from-workload', 'x'], home)).stderr).toMatch(
      /^meshlog: --status: "teapot" is not a status code/,
    );
    expect((await runMeshlog(['logs', ...args, '('], home)).stderr).toMatch(/^meshlog: WORKLOAD_REGEX: .*regular expression/);
    expect((await runMeshlog(['logs', ...args, '--last', 'many'], home)).stderr).toBe('meshlog: --last must be a whole number from 0 to 10000, not "many"\n');
    expect((await runMeshlog(['logs', ...args, '--first', '2', '--follow'], home)).stderr).toBe(
      'meshlog: --first cannot be combined with --last, --all or --follow\n',
    );
  });

  it('explains an empty answer when entries arrive and no record selects them, then prints --first and --all', async () => {
    await send(server, ['/unselected-1', '/unselected-2']);
    const args = ['--server', hostPort, '--token-file', path.join(dir, 'token'), '--color', 'never', '--template', '{{.httpAccessLog.request.path}}'];
    const empty = await runMeshlog(['logs', ...args], home);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(
      /^meshlog: no entries\. The server has received 2 entries from 1 proxies, but there is no AccessLogRecord, so none were kept \(2 not selected\)\./,
    );
    expect(empty.stderr).toContain('    kind: AccessLogRecord\n');

    expect((await fetch(`http://${hostPort}/api/v1/resources`, { method: 'POST', headers: auth, body: record })).status).toBe(200);
    const start = Date.now() - 60_000;
    await send(
      server,
      Array.from({ length: 1205 }, (_, i) => `/kept-${i}`),
      start,
    );
    const first = await runMeshlog(['logs', ...args, '--first', '3'], home);
    expect(first.stdout).toBe('/kept-0\n/kept-1\n/kept-2\n');
    // 1205 entries: two pages of 1000 walked, oldest first.
    const all = await runMeshlog(['logs', ...args, '--all', '--since', String(Math.floor(start / 1000))], home);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1205);
    expect(lines[0]).toBe('/kept-0');
    expect(lines[1204]).toBe('/kept-1204');
    expect(all.stderr).toBe('');
  });

  it('prints the client, server and Envoy API versions from package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const out = await runMeshlog(['version', '--server', hostPort, '--token-file', path.join(dir, 'token')], home);
    expect(out.stdout).toMatch(
      new RegExp(
        `^Client: meshlog ${version} \\(Node\\.js v\\S+\\)\\nServer: meshlog ${version} \\(Node\\.js v\\S+\\)\\nEnvoy API: envoy\\.service\\.accesslog v3, v2 \\(protos from @grpc/grpc-js-xds \\d+\\.\\d+\\.\\d+\\)\\n$`,
      ),
    );
    expect((await runMeshlog(['--version'], home)).stdout).toBe(`${version}\n`);
    const down = await runMeshlog(['version', '--server', '127.0.0.1:1'], home);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^Client: meshlog .*\nServer: unknown \(cannot reach the meshlog server at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('meshlog logs --follow', { timeout: 120_000 }, () => {
  it('reconnects when the server restarts and resumes after the last entry it printed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-follow-'));
    const options = { dataDir: dir, alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger() };
    let server = await runServer(options);
    const httpPort = server.httpPort;
    await fetch(`http://127.0.0.1:${httpPort}/api/v1/resources`, { method: 'POST', body: record });
    await send(server, ['/before-1', '/before-2']);
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, 'logs', '--follow', '--server', `127.0.0.1:${httpPort}`, '--template', '{{.httpAccessLog.request.path}}'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = async (what: () => boolean, ms: number) => {
      for (const deadline = Date.now() + ms; !what() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      expect(what(), `stdout: ${stdout}\nstderr: ${stderr}`).toBe(true);
    };
    try {
      await until(() => stdout === '/before-1\n/before-2\n', 15_000);
      await server.shutdown();
      await until(() => /reconnecting in/.test(stderr), 10_000);
      server = await runServer({ ...options, httpPort });
      await send(server, ['/after-restart']);
      await until(() => stdout.includes('/after-restart\n'), 20_000);
      // Resumed: nothing printed twice.
      expect(stdout).toBe('/before-1\n/before-2\n/after-restart\n');
      expect(stderr).toMatch(/^meshlog: lost the stream from http:\/\/127\.0\.0\.1:\d+ \(.*\); reconnecting in 0\.5s$/m);
      expect(stderr).toMatch(/reconnected; resuming after the last entry printed/);
    } finally {
      child.kill();
      await server.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
