/**
 * A real browser: Debian's chromium (scripts/ensure-test-deps.sh installs it), driven headless by
 * playwright-core (no downloaded browser). It opens GraphiQL, runs the default query, reads the
 * result pane, checks that no request left 127.0.0.1 (GraphiQL's assets and workers come from
 * /graphiql/) and that no script failed, and saves a screenshot under test-output/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../../src/server.js';
import { startStack, type Stack } from '../helpers/stack.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUTPUT = new URL('../../test-output/', import.meta.url);

describe('GraphiQL in headless chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-test-deps.sh (npm test does)`);
    stack = await startStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('when the default query is run, then the result pane shows the models, and every request stayed on 127.0.0.1', async () => {
    const expected = await stack.client.execute<{ models: { edges: Array<{ node: { id: string; name: string } }> } }, never>(DEFAULT_QUERY);
    const firstName = expected.data?.models.edges[0]?.node.name ?? '';
    expect(firstName).not.toBe('');

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The root leads to GraphiQL.
    const origin = new URL(stack.url).origin;
    await page.goto(`${origin}/`, { waitUntil: 'load', timeout: 90_000 });
    expect(new URL(page.url()).pathname).toBe('/graphql');

    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ state: 'visible', timeout: 90_000 });
    // Saved example operations open as tabs beside the default one.
    await expect.poll(() => page.locator('.graphiql-tab').count(), { timeout: 30_000 }).toBe(5);
    await run.click();
    // The editor renders spaces as no-break spaces and only the visible lines: the first model's are.
    const response = page.locator('.graphiql-response');
    const shown = async () => (await response.innerText()).replace(/\u00a0/g, ' ');
    await expect.poll(shown, { timeout: 60_000, interval: 250 }).toContain(`"name": ${JSON.stringify(firstName)}`);
    expect(await shown()).toContain(`"id": ${JSON.stringify(expected.data?.models.edges[0]?.node.id)}`);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: new URL('graphiql.png', OUTPUT).pathname, fullPage: true });

    const outside = requested.filter((url) => {
      const { protocol, hostname } = new URL(url);
      return !(protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1');
    });
    expect(requested.length).toBeGreaterThan(1);
    expect(outside).toEqual([]);
    // GraphiQL's assets, the editor's workers included, came from our own routes, and ran.
    const assets = requested.map((url) => new URL(url).pathname).filter((path) => path.startsWith('/graphiql/'));
    expect(new Set(assets.map((path) => path.replace(/\.[0-9a-f]{20}\./, '.*.')))).toEqual(
      new Set(['graphiql.*.js', 'graphiql.*.css', 'favicon.*.ico', 'editor-worker.*.js', 'graphql-worker.*.js', 'json-worker.*.js'].map((name) => `/graphiql/${name}`)),
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
