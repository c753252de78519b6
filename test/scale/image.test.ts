/**
 * The image, built as an operator would, without a Docker engine (none runs here): the
 * Dockerfile's stages are played in a temporary directory (test/helpers/dockerfile.ts) with the
 * same copies from the same .dockerignore'd context, the build, `npm ci --omit=dev` (from the
 * local npm cache), and the last stage's exact CMD, ENV and HEALTHCHECK; the replica answers a
 * trusted document over the fixture upstream and reports healthy and ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { ModelListDocument } from '../../generated/graphql.js';
import { playDockerfile, sh, type PlayedImage } from '../helpers/dockerfile.js';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'cgql-image-'));
/** The Node.js that runs the tests (a supported LTS: scripts/node-lts.sh) stands for the image's. */
const nodeEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
let fixture: FixtureUpstream | undefined;
let replica: ChildProcess | undefined;

afterAll(async () => {
  replica?.kill('SIGKILL');
  await fixture?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Each RUN of the Dockerfile, as it runs here. A RUN this test does not know fails it: look at it. */
function runStep(command: string, dir: string): void {
  switch (command) {
    case 'npm ci --no-audit --no-fund':
      // The build stage's full install is the project's own (same package-lock.json), linked.
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      return;
    case 'npm run build':
      return sh('npm run build', dir, nodeEnv);
    case 'npm ci --omit=dev --no-audit --no-fund && npm cache clean --force':
      // For real, from the local npm cache; the machine's cache is not cleaned.
      return sh('npm ci --omit=dev --no-audit --no-fund --offline', dir, nodeEnv);
    default:
      throw new Error(`the Dockerfile runs "${command}": teach test/scale/image.test.ts how to run it here`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `node …` of the image, with this machine's node binary. */
function command(argv: string[]): [string, string[]] {
  expect(argv[0]).toBe('node');
  return [process.execPath, argv.slice(1)];
}

function startReplica(image: PlayedImage, env: Record<string, string>): Promise<string> {
  const [bin, args] = command(image.cmd);
  const child = spawn(bin, args, { cwd: image.dir, env: { PATH: nodeEnv.PATH, ...image.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  replica = child;
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the replica did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        child.stdout?.resume();
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the replica exited with ${code}:\n${output}`)));
  });
}

describe('the image, its stages played outside Docker', () => {
  it('when built from the .dockerignore\'d context and started with its CMD, then it answers a trusted document and reports healthy', async () => {
    const image = playDockerfile(root, work, runStep);
    fixture = await createFixtureUpstream();
    const port = await freePort();
    const env = {
      HOST: '127.0.0.1',
      PORT: String(port),
      CIVITAI_API_URL: fixture.url,
      CURSOR_SECRET: 'image-test-cursor-secret-0123456789abcdef',
      // The manifest must be in the image, next to dist/.
      PERSISTED_OPERATIONS: 'trusted',
      LOG_LEVEL: 'warn',
    };
    expect(image.env).toMatchObject({ NODE_ENV: 'production' });
    await startReplica(image, env);
    const base = `http://127.0.0.1:${port}`;

    const documentId = (ModelListDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId, variables: { first: 2 } }),
    });
    const body = (await response.json()) as { data?: { models?: { edges: unknown[] } }; errors?: unknown };
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.models?.edges).toHaveLength(2);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // The image's own HEALTHCHECK command, as Docker would run it in the container.
    const [bin, args] = command(image.healthcheck!);
    const healthy = await new Promise<number | null>((resolve) => {
      spawn(bin, args, { cwd: image.dir, env: { ...image.env, ...env }, stdio: 'ignore' }).once('exit', resolve);
    });
    expect(healthy).toBe(0);
  }, 300_000);
});
