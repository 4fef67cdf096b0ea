/**
 * The viewer against `meshlog serve --auth-token`: the page loads, the API refuses it until it has
 * the token, the viewer asks for the token, keeps it in this tab's sessionStorage only, and sends it
 * with every API call.
 */
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium } from '../testing/browser.js';
import { type DemoServer, startDemoServer } from '../testing/demo-server.js';

const token = 'a-token-for-the-viewer-test';
const poll = { timeout: 30_000, interval: 250 };

let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoServer({ requestsPerSecond: 5, seed: 9, authToken: token }), launchChromium()]);
  await demo.waitForApi('limit=1', (items) => items.length > 0);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the viewer with --auth-token', () => {
  it('serves the page without a token, and no data without one', async () => {
    expect((await fetch(`${demo.base}/logs`)).status).toBe(200);
    expect((await fetch(`${demo.base}/api/v1/logs`)).status).toBe(401);
    expect((await fetch(`${demo.base}/api/v1/logs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('asks for the token, refuses a wrong one, and sends the right one with every API call', async () => {
    const page = await browser.newPage();
    const apiCalls: Request[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) apiCalls.push(r);
    });
    await page.goto(`${demo.base}/logs?status=2xx`);
    const prompt = page.getByRole('form', { name: 'token' });
    await prompt.waitFor(poll);
    expect(await page.locator('.log-scroll .log-row').count()).toBe(0);
    await browser.screenshot(page, 'auth-prompt');

    await prompt.locator('input[name="token"]').fill('not-the-token');
    await prompt.locator('input[name="token"]').press('Enter');
    await expect.poll(() => prompt.textContent(), poll).toContain('rejected that token (401)');

    const before = apiCalls.length;
    await prompt.locator('input[name="token"]').fill(token);
    await prompt.locator('input[name="token"]').press('Enter');
    await expect.poll(() => page.locator('.log-scroll .log-row').count(), poll).toBeGreaterThan(0);
    const withToken = apiCalls.slice(before);
    expect(withToken.length).toBeGreaterThan(0);
    expect(withToken.map((r) => r.headers()['authorization'])).toEqual(withToken.map(() => `Bearer ${token}`));

    // Kept for this tab's session only: not in localStorage, not in a cookie.
    expect(await page.evaluate('sessionStorage.getItem("meshlog.token")')).toBe(token);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await browser.context.cookies()).toEqual([]);

    // Every other view works with it too, over the same session.
    await page.getByRole('link', { name: 'Proxies' }).click();
    await page.locator('table.proxies tbody tr').first().waitFor(poll);
    await page.reload();
    await page.locator('table.proxies tbody tr').first().waitFor(poll);
    expect(await page.getByRole('form', { name: 'token' }).count()).toBe(0);
    expect(apiCalls.slice(before).every((r) => r.headers()['authorization'] === `Bearer ${token}`)).toBe(true);

    // Another tab is another session: it asks again.
    const other = await browser.newPage();
    await other.goto(`${demo.base}/failures`);
    await other.getByRole('form', { name: 'token' }).waitFor(poll);
    await other.close();
    await page.close();
  });
});
