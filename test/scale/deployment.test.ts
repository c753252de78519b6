import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Read by Node and libraries, not by our configuration. */
const RUNTIME_VARIABLES = new Set(['NODE_ENV']);

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number | boolean | null> | string[];
  deploy?: { replicas?: number };
  depends_on?: unknown;
  ports?: string[];
  volumes?: string[];
  command?: string[];
}

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `ENV A=1 B=2` and `ENV A 1` forms, with line continuations. */
function dockerfileEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const m = /^\s*ENV\s+(.+)$/i.exec(line);
    if (!m) continue;
    const body = m[1]!.trim();
    if (!body.includes('=')) {
      const [name, ...rest] = body.split(/\s+/);
      env[name!] = rest.join(' ');
      continue;
    }
    for (const pair of body.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** What `${VAR:-default}` / `${VAR:?message}` becomes when VAR is unset. */
function interpolateUnset(value: string): string {
  return value.replace(/\$\{[A-Z_]+(?::-([^}]*)|:\?[^}]*)?\}/g, (_, fallback: string | undefined) => fallback ?? '');
}

const compose = parse(read('compose.yaml')) as { services: Record<string, Service> };
const dockerfile = read('Dockerfile');

describe('the Dockerfile and compose.yaml', () => {
  it('when they set environment variables, then every one is a variable of the config schema', () => {
    const set = [...Object.keys(dockerfileEnv(dockerfile)), ...Object.values(compose.services).flatMap((s) => Object.keys(environmentOf(s)))];
    expect(set.length).toBeGreaterThan(5);
    const unknown = set.filter((name) => !CONFIG_VARIABLES.includes(name) && !RUNTIME_VARIABLES.has(name));
    expect(unknown).toEqual([]);
  });

  it('when a replica starts with the values compose gives it, then the configuration is valid and uses Redis', () => {
    const env = { ...dockerfileEnv(dockerfile), ...environmentOf(compose.services.api!) };
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolateUnset(v)]));
    const config = loadConfig({ ...resolved, CURSOR_SECRET: 'x'.repeat(32) });
    expect(config.redis.url).toBe('redis://redis:6379');
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.shutdownDelayMs).toBeGreaterThan(0);
  });

  it('when compose runs, then there are 3 replicas sharing one CURSOR_SECRET and one Redis, behind a load balancer that checks /readyz', () => {
    const { api, redis, lb } = compose.services;
    expect(api?.deploy?.replicas).toBe(3);
    expect(read('compose.yaml')).toMatch(/CURSOR_SECRET: \$\{CURSOR_SECRET:\?/);
    expect(environmentOf(api!).REDIS_URL).toMatch(/^redis:\/\/redis:\d+$/);
    expect(redis?.image).toMatch(/^redis:/);
    expect(redis?.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'allkeys-lru']));
    expect(lb?.image).toMatch(/^haproxy:/);
    const mounted = lb?.volumes?.[0]?.split(':')[0];
    const haproxy = read(mounted!);
    expect(haproxy).toMatch(/option httpchk GET \/readyz/);
    expect(haproxy).toMatch(new RegExp(`server-template api 3 api:${environmentOf(api!).PORT}\\b`));
    // published on the host's loopback only
    expect(lb?.ports).toEqual(['127.0.0.1:4000:4000']);
  });

  it('when the image is built, then it is multi-stage, installs production dependencies only, runs as non-root and checks /healthz', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(lastStage).not.toMatch(/npm ci(?! --omit=dev)/);
    expect(lastStage).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(read('.dockerignore')).toMatch(/^node_modules$/m);
  });
});

describe('the scale-out variables', () => {
  it('when none is set, then nothing uses Redis, there is no budget and no token', () => {
    const config = loadConfig({});
    expect(config.redis).toEqual({ url: undefined, prefix: 'cgql:', timeoutMs: 50 });
    expect(config.upstreamRateLimit).toBe(0);
    expect(config.metricsToken).toBeUndefined();
    expect(config.server.shutdownDelayMs).toBe(0);
  });

  it('when they are bad, then each is named, and a Redis password never appears in the message', () => {
    let message = '';
    try {
      loadConfig({ REDIS_URL: 'http://:s3cret@redis:6379', REDIS_PREFIX: 'has space', METRICS_TOKEN: 'short', UPSTREAM_RATE_LIMIT: '-1', CURSOR_SECRET: 'short' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['REDIS_URL', 'REDIS_PREFIX', 'METRICS_TOKEN', 'UPSTREAM_RATE_LIMIT', 'CURSOR_SECRET']) expect(message).toContain(name);
    expect(message).not.toContain('s3cret');
  });
});
