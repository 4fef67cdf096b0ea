/**
 * The HTTP API's exposure and limits (issue 14): off loopback without a token it does not start;
 * a token clients could never send is refused at start; request bodies are capped; a client that
 * trickles its headers is cut off; an alias bomb posted as resources is a 400 naming its document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headersTimeoutMs, maxRequestBodyBytes } from '../server/http-limits.js';
import { silentLogger } from '../telemetry/logger.js';
import { type RunningServer, runServer } from './serve.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'meshlog-exposure-'));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('starting the HTTP API', () => {
  // 0.0.0.0 is refused before anything binds, so nothing listens beyond loopback here.
  it('refuses to serve off loopback without a token', async () => {
    await expect(runServer({ dataDir: tempDir(), alsPort: 0, httpHost: '0.0.0.0', httpPort: 0, logger: silentLogger() })).rejects.toThrow(
      /Refusing to start: --http-host 0\.0\.0\.0 serves the access logs beyond this machine without authentication; set --auth-token .*--insecure-no-auth/,
    );
  });

  it('refuses a token outside RFC 6750 characters', async () => {
    await expect(runServer({ dataDir: tempDir(), alsPort: 0, httpPort: 0, logger: silentLogger(), authToken: 'has space' })).rejects.toThrow(/RFC 6750/);
  });
});

describe('HTTP limits', () => {
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    server = await runServer({ dataDir: tempDir(), alsHost: '127.0.0.1', alsPort: 0, httpPort: 0, logger: silentLogger(), authToken: 'abc-DEF_1.2~3+4/5==' });
    base = `http://127.0.0.1:${server.httpPort}`;
  });

  afterAll(async () => {
    await server?.shutdown();
  });

  const auth = { authorization: 'Bearer abc-DEF_1.2~3+4/5==' };

  it('answers 400 naming the document for a billion-laughs resource', async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
      .concat([...'bcdefghi'].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`))
      .join('\n');
    const answer = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: auth, body: `type: Mesh\nname: default\n---\n${bomb}` });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { violations: Array<{ line: number; message: string }> };
    expect(body.violations).toEqual([
      expect.objectContaining({ line: 4, message: expect.stringMatching(/^document 2 cannot be read: Excessive alias count/) }),
    ]);
  });

  it('refuses a body over the limit with 413', async () => {
    const answer = await fetch(`${base}/api/v1/resources`, { method: 'POST', headers: auth, body: 'x'.repeat(maxRequestBodyBytes + 1) });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ error: 'the request body is larger than 1048576 bytes (1 MiB)' });
  });

  it('closes a connection that trickles its headers', { timeout: headersTimeoutMs + 15_000 }, async () => {
    const socket = net.connect(server.httpPort, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    // One header byte every half second, never the blank line: the server ends it at its timeout.
    const trickle = setInterval(() => socket.write('X'), 500);
    await closed;
    clearInterval(trickle);
    expect(socket.destroyed).toBe(true);
  });
});
