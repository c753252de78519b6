/** `npm run contract` against the fixture upstream: clean, then drifted (where it must report). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

async function contract(url: string): Promise<{ code: number; out: string }> {
  const tsx = join(root, 'node_modules/.bin/tsx');
  try {
    const { stdout } = await run(tsx, ['scripts/contract.ts'], { cwd: root, env: { ...process.env, CIVITAI_API_URL: url }, timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, out: failed.stdout ?? '' };
  }
}

describe('npm run contract', () => {
  test('when the upstream answers as expected, then every route reads clean and it exits 0; drifted, it names route and field and exits 1', { timeout: 120_000 }, async ({ upstream }) => {
    const clean = await contract(upstream.url);
    expect(clean.out).toMatch(/no drift/);
    for (const route of ['models', 'model', 'model-version', 'by-hash', 'by-hash-batch', 'images', 'creators', 'tags']) expect(clean.out).toMatch(new RegExp(`ok +${route}\\b`));
    expect(clean.code).toBe(0);

    upstream.setDrift({ kind: 'issue', items: [0, 1] });
    const drifted = await contract(upstream.url);
    expect(drifted.out).toMatch(/models +items\[\]\.stats\.downloadCount +\(string arrived\)/);
    expect(drifted.out).toMatch(/creators +items\[\]\.modelCount/);
    expect(drifted.out).toMatch(/model-version +stats\.downloadCount/);
    expect(drifted.code).toBe(1);
  });
});
