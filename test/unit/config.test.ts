import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('when the environment is empty, then the defaults apply', () => {
    const config = loadConfig({});
    expect(config.upstream.baseUrl).toBe('https://civitai.com/api/v1');
    expect(config.upstream.apiKey).toBeUndefined();
    expect(config.server).toEqual({ port: 4000, host: '127.0.0.1', shutdownGraceMs: 10_000, shutdownDelayMs: 0, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1_000, maxConnectionsPerPeer: 100 });
    expect(config.cache.maxBytes).toBe(32 * 1024 * 1024);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when values are given, then they are parsed and a trailing slash is dropped', () => {
    const config = loadConfig({ CIVITAI_API_URL: 'http://127.0.0.1:9/api/v1/', PORT: '8080', CIVITAI_API_KEY: 'k', REPORT_COST: 'yes' });
    expect(config.upstream.baseUrl).toBe('http://127.0.0.1:9/api/v1');
    expect(config.server.port).toBe(8080);
    expect(config.upstream.apiKey).toBe('k');
    expect(config.reportCost).toBe(true);
  });

  it('when several values are bad, then one error lists every problem', () => {
    let error: unknown;
    try {
      loadConfig({ CIVITAI_API_URL: 'ftp://x', PORT: 'abc', UPSTREAM_TIMEOUT_MS: '-1', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['CIVITAI_API_URL', 'LOG_LEVEL', 'PORT', 'UPSTREAM_TIMEOUT_MS']);
  });
});
