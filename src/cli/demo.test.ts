/**
 * `meshlog demo` as a user runs it: a process that starts a server and two cluster agents, whose
 * API answers the Gloo guide's curls with entries of both clusters (their `clusterName` having
 * come through the relay), and that stops everything on Ctrl-C (SIGINT).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { until } from '../relay/testing/relay-processes.js';
import { freePort } from '../util/free-port.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

interface GlooItem {
  result: { workloadRef: { name: string; clusterName: string } };
}

/** Gloo's answer: JSON objects one after another. */
function items(text: string): GlooItem[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as GlooItem);
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('meshlog demo', () => {
  it("runs the guide's topology: the guide's curls see both clusters, Ctrl-C stops every process", async () => {
    const [http, relay, als, metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const demo = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'demo',
        '--http-port',
        String(http),
        '--relay-port',
        String(relay),
        '--als-host',
        '127.0.0.1',
        '--als-port',
        String(als),
        '--metrics-port',
        String(metrics),
        '--rate',
        '20',
        '--log-level',
        'warn',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    demo.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    try {
      await until(`the demo to start (${stderr})`, () => stdout.includes('Ctrl-C stops it.'), 90_000);
      const base = `http://127.0.0.1:${http}/v0/observability/logs`;
      const clusters = await until(
        'entries of both clusters',
        async () => {
          const got = new Set(items(await (await fetch(base, { method: 'POST' })).text()).map((i) => i.result.workloadRef.clusterName));
          return got.size === 2 && got;
        },
        60_000,
      );
      expect([...clusters].sort()).toEqual(['mgmt-cluster', 'remote-cluster']);
      const selected = await until('reviews in mgmt-cluster', async () => {
        const body = JSON.stringify({ workloadSelectors: [{ kubeWorkloadMatcher: { labels: { app: 'reviews' }, clusters: ['mgmt-cluster'] } }] });
        const got = items(await (await fetch(base, { method: 'POST', body })).text());
        return got.length > 0 && got;
      });
      expect(selected.every((i) => i.result.workloadRef.clusterName === 'mgmt-cluster' && i.result.workloadRef.name.startsWith('reviews-'))).toBe(true);
      const pretty = await (await fetch(`${base}?pretty`, { method: 'POST' })).text();
      expect(pretty).toMatch(/^\{\n {2}"result": \{\n {4}"workloadRef": \{/);
    } finally {
      demo.kill('SIGINT');
    }
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 40_000))])).toBe(0);
    // Server and agents are gone with it.
    for (const port of [http, relay, als, als + 1]) expect(await refused(port)).toBe(true);
  }, 180_000);
});
