/**
 * The web viewer in Debian's Chromium against a real `meshlog serve` fed by the demo's simulated
 * bookinfo traffic: every view opens and follows new data, filters narrow the table and survive a
 * reload, a 503 explains its flags, the failures view names the TLS cause between productpage and
 * ratings, a request shows both sides of each hop, and the tail keeps up with thousands of entries
 * a second. Screenshots go to test-artifacts/web (git-ignored), with the figures measured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, type Browser, launchChromium } from '../testing/browser.js';
import { type DemoServer, startDemoServer } from '../testing/demo-server.js';

const tls = 'TLS error: Secret is not supplied by SDS';
const poll = { timeout: 30_000, interval: 250 };

let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoServer({ requestsPerSecond: 5, seed: 5 }), launchChromium()]);
  // The views below look for the guide's TLS failure; wait until the simulated mesh has produced one.
  await demo.waitForApi('flags=UF&workload=productpage-v1&limit=10', (items) => items.length > 0, 60_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const pageErrors = new WeakMap<Page, string[]>();

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${demo.base}${path}`);
  return page;
}

/** Closes a page, failing the test if a script on it threw. */
async function done(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page)).toEqual([]);
}

const rowCount = async (page: Page) => Number((await page.getByTestId('row-count').textContent())?.replace(/[^0-9]/g, '') || 0);
const numberIn = async (page: Page, selector: string) => Number((await page.locator(selector).first().textContent())?.replace(/[^0-9]/g, '') || 0);

function record(name: string, value: unknown): void {
  const file = path.join(artifactsDir, 'measurements.json');
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // First figure of the run.
  }
  writeFileSync(file, `${JSON.stringify({ ...all, [name]: value }, null, 2)}\n`);
}

describe('logs view', () => {
  it('shows the latest entries at once, then the live tail grows', async () => {
    const page = await open('/logs');
    await expect.poll(() => rowCount(page), poll).toBeGreaterThan(0);
    const first = await rowCount(page);
    await expect.poll(() => rowCount(page), poll).toBeGreaterThan(first);
    await expect.poll(() => page.getByTestId('tail-status').textContent(), poll).toBe('live');
    const firstRows = await page.evaluate(() => performance.getEntriesByName('meshlog:first-rows')[0]?.startTime ?? null);
    expect(firstRows).not.toBeNull();
    record('time to first rows, ms from navigation', Math.round(firstRows!));
    await browser.screenshot(page, 'logs');
    await done(page);
  });

  it('narrows the table with a filter, keeps it in the URL, and keeps it over a reload', async () => {
    const page = await open('/logs');
    await expect.poll(() => page.locator('.log-row[data-status="200"]').count(), poll).toBeGreaterThan(0);
    await page.locator('input[name="status"]').fill('5xx');
    await page.locator('input[name="workload"]').fill('productpage-v1');
    await page.locator('input[name="status"]').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('5xx');
    expect(new URL(page.url()).pathname).toBe('/logs');
    const narrowed = async () => {
      const rows = await page
        .locator('.log-scroll .log-row')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-status'), e.getAttribute('data-workload')]));
      return rows.length > 0 && rows.every(([status, workload]) => /^5\d\d$/.test(status ?? '') && workload === 'productpage-v1');
    };
    await expect.poll(narrowed, poll).toBe(true);
    await page.reload();
    await expect(page.locator('input[name="status"]').inputValue()).resolves.toBe('5xx');
    await expect(page.locator('input[name="workload"]').inputValue()).resolves.toBe('productpage-v1');
    await expect.poll(narrowed, poll).toBe(true);
    await browser.screenshot(page, 'logs-filtered');
    await done(page);
  });

  it('takes the same filters in the #/ form of the URL', async () => {
    const page = await open('/#/logs?workload=ratings-v1&kind=tcp');
    const onlyRatings = async () => {
      const rows = await page.locator('.log-scroll .log-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-workload'), e.textContent]));
      return rows.length > 0 && rows.every(([w, text]) => w === 'ratings-v1' && text?.includes('TCP'));
    };
    await expect.poll(onlyRatings, poll).toBe(true);
    await done(page);
  });

  it('opens a 503 as proto3 JSON with its response flags explained in words', async () => {
    const page = await open('/logs?status=503&flags=UF&workload=productpage-v1');
    const row = page.locator('.log-row.failed[data-status="503"]').first();
    await row.waitFor(poll);
    await row.click();
    const detail = page.getByRole('complementary', { name: 'entry detail' });
    await expect(detail.getByRole('region', { name: 'response flags' }).textContent()).resolves.toContain('UF: upstream connection failure');
    await expect(detail.textContent()).resolves.toContain(tls);
    const json = JSON.parse((await detail.locator('pre.json').textContent())!) as any;
    expect(json.httpAccessLog.response.responseCode).toBe(503);
    expect(json.httpAccessLog.commonProperties.responseFlags).toEqual({ upstreamConnectionFailure: true });
    expect(json.httpAccessLog.commonProperties.upstreamTransportFailureReason).toBe(tls);
    await browser.screenshot(page, 'logs-503-detail');
    // From the entry, its request is one click away; a connection that failed never reached ratings.
    await detail.getByRole('link', { name: 'trace this request' }).click();
    await expect.poll(() => new URL(page.url()).pathname.startsWith('/requests/')).toBe(true);
    const hop = page.locator('li.hop.failed', { hasText: 'productpage-v1 → ratings-v1' });
    await hop.waitFor(poll);
    await expect(hop.locator('[data-side="outbound"]').textContent()).resolves.toContain(tls);
    await expect(hop.locator('[data-side="inbound"]').textContent()).resolves.toContain('never reached the callee');
    await done(page);
  });
});

describe('failures view', () => {
  it('names the TLS cause between productpage and ratings at a glance, and follows new failures', async () => {
    const page = await open('/failures');
    const row = page.locator('tr[data-edge="productpage-v1 → ratings-v1"]', { hasText: tls });
    await row.waitFor(poll);
    const text = (await row.textContent())!;
    expect(text).toContain('503');
    expect(text).toContain('UF upstream connection failure');
    expect(text).toContain('caller only');
    const calls = Number((await row.locator('td.num').textContent())!.replace(/\D/g, ''));
    await expect
      .poll(async () => Number((await row.locator('td.num').textContent())!.replace(/\D/g, '')), { timeout: 60_000, interval: 500 })
      .toBeGreaterThan(calls);
    await browser.screenshot(page, 'failures');
    await done(page);
  }, 90_000);
});

describe('request view', () => {
  it("shows both sides of each hop: the caller's outbound entry and the callee's inbound entry", async () => {
    const [item] = await demo
      .waitForApi('workload=productpage-v1&limit=200', (items) =>
        items.some((i) => i.direction === 'outbound' && i.destination.workload?.startsWith('reviews') && i.httpAccessLog.response.responseCode === 200),
      )
      .then((items) =>
        items.filter((i) => i.direction === 'outbound' && i.destination.workload?.startsWith('reviews') && i.httpAccessLog.response.responseCode === 200),
      );
    const id = item.httpAccessLog.request.requestId as string;
    const reviews = item.destination.workload as string;
    // No time in the link: the viewer searches the latest entries.
    const page = await open(`/requests/${id}`);
    const hop = page.locator('li.hop', { hasText: `productpage-v1 → ${reviews}` });
    await hop.waitFor(poll);
    await expect(hop.locator('[data-side="outbound"]').textContent()).resolves.toContain(`${item.workloadRef.clusterName}/bookinfo/productpage-v1`);
    await expect(hop.locator('[data-side="inbound"]').textContent()).resolves.toContain(`${item.workloadRef.clusterName}/bookinfo/${reviews}`);
    await expect(hop.textContent()).resolves.toMatch(/at the caller, .* at the callee/);
    await browser.screenshot(page, 'request');
    await done(page);
  });
});

describe('overview', () => {
  it('charts the golden signals per workload and per edge, and colours the failing edge of the service map', async () => {
    const page = await open('/overview?since=5m');
    await page.locator('.chart canvas').nth(2).waitFor(poll);
    await page.locator('tr[data-group="ratings-v1 (remote-cluster)"]').waitFor(poll);
    const edge = page.locator('path.map-edge[data-edge="productpage-v1 → ratings-v1"]');
    await edge.waitFor(poll);
    expect(Number(await edge.getAttribute('data-error-rate'))).toBeGreaterThan(0);
    expect(Number(await page.locator('path.map-edge[data-edge="productpage-v1 → details-v1"]').first().getAttribute('data-error-rate'))).toBe(0);
    const entries = await numberIn(page, '[data-testid="entries"]');
    await expect.poll(() => numberIn(page, '[data-testid="entries"]'), { timeout: 60_000, interval: 500 }).toBeGreaterThan(entries);
    await browser.screenshot(page, 'overview');
    await page.getByRole('combobox').nth(1).selectOption('edge');
    await expect.poll(() => new URL(page.url()).searchParams.get('groupBy')).toBe('edge');
    await page.locator('tr[data-group="productpage-v1 → ratings-v1"]').first().waitFor(poll);
    await done(page);
  }, 90_000);
});

describe('proxies view', () => {
  it("lists the proxies, and shows one proxy's rules as meshlog inspect does, with its Envoy config", async () => {
    const page = await open('/proxies');
    const row = page.locator('tr', { hasText: 'remote-cluster' }).filter({ hasText: 'bookinfo/productpage-v1' });
    await row.waitFor(poll);
    await row.getByRole('link').click();
    const id = decodeURIComponent(new URL(page.url()).pathname.slice('/proxies/'.length));
    const inspect = await (await fetch(`${demo.base}/api/v1/proxies/${encodeURIComponent(id)}/policies?format=text`)).text();
    expect(inspect).toContain('failed-calls');
    await expect.poll(() => page.locator('pre.inspect').textContent(), poll).toBe(inspect);
    await expect.poll(() => page.getByRole('region', { name: 'envoy config' }).textContent(), poll).toContain('envoy.access_loggers.http_grpc');
    await page.getByRole('link', { name: 'istio' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('istio');
    await expect.poll(() => page.getByRole('region', { name: 'envoy config' }).textContent(), poll).toContain('extensionProviders');
    await browser.screenshot(page, 'proxy');
    await done(page);
  });
});

// Last: the burst leaves the store full of entries that the views above would have to wade through.
describe('logs view under load', () => {
  it('keeps up with thousands of entries a second, and pauses and resumes', async () => {
    const page = await open('/logs?limit=0');
    // Tasks that kept the page from answering for more than 50 ms, counted by the browser itself.
    await page.evaluate(
      `window.longTasks = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });`,
    );
    const burst = demo.burst(500);
    try {
      await expect.poll(() => rowCount(page), { timeout: 60_000, interval: 500 }).toBeGreaterThan(5000);
      // The page answers while the tail pours in: pausing holds the table still while entries wait.
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => page.getByTestId('tail-status').textContent(), poll).toBe('paused');
      const held = await rowCount(page);
      await expect.poll(() => numberIn(page, '[data-testid="waiting"]'), poll).toBeGreaterThan(100);
      expect(await rowCount(page)).toBe(held);
      const toolbar = await page.locator('.toolbar').textContent();
      await page.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => rowCount(page), poll).toBeGreaterThan(held);
      await browser.screenshot(page, 'logs-burst');
      const longTasks = (await page.evaluate('window.longTasks')) as number[];
      record('burst (500 requests/s simulated)', { toolbar, longTasksOver50ms: longTasks.length, longestTaskMs: Math.round(Math.max(0, ...longTasks)) });
    } finally {
      await burst.stop();
    }
    await done(page);
  }, 120_000);
});
