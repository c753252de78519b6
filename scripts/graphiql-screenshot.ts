/**
 * The README's GraphiQL screenshot: opens /graphql of a running server (`npm run demo`) in
 * Debian's headless chromium, runs the default query and writes docs/graphiql.png.
 * Usage: npx tsx scripts/graphiql-screenshot.ts http://127.0.0.1:4000/graphql
 */
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
const out = new URL('../docs/graphiql.png', import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  await page.goto(url, { waitUntil: 'load', timeout: 90_000 });
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ state: 'visible', timeout: 90_000 });
  await run.click();
  const response = page.locator('.graphiql-response');
  const deadline = Date.now() + 60_000;
  while (!(await response.innerText()).includes('"data"')) {
    if (Date.now() > deadline) throw new Error('the default query showed no data within 60 s');
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
}
