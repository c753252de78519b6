import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const root = join(import.meta.dirname, '../..');

describe('the process', () => {
  test.override({ stackOptions: { fixture: { latencyMs: 800 } } });

  test('when SIGTERM arrives during a request, then it stops accepting, finishes the request and exits 0', async ({ upstream }) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
      env: { ...process.env, CIVITAI_API_URL: upstream.url, PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '5000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /http:\/\/\S+\/graphql/.exec(out);
        if (m) resolve(m[0]);
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const inFlight = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query: '{ model(id: 64) { name } }' }) });
    // in flight: it has reached the upstream (which answers it 800 ms later)
    await expect.poll(() => upstream.calls(), { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    child.kill('SIGTERM');

    // stops accepting once the signal is handled (no SHUTDOWN_DELAY_MS here)
    const refused = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: '{"query":"{ __typename }"}' }).then(() => false, () => true);
    await expect.poll(refused, { timeout: 10_000, interval: 20 }).toBe(true);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { model: { name: 'Redshift Diffusion' } } });
    expect(await exited).toBe(0);
  }, 30_000);

  test('when the port is taken, then it says so, with what to do, and exits 1 without a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), '--fixture'], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(err).toContain(`127.0.0.1:${port} is already in use`);
      expect(err).toContain('PORT=');
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  }, 30_000);

  test('when the configuration is invalid, then one message lists every problem and the exit code is 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
      env: { ...process.env, CIVITAI_API_URL: 'not a url', PORT: 'x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('CIVITAI_API_URL');
    expect(err).toContain('PORT');
  }, 30_000);
});
