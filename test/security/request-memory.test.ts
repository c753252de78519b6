/**
 * Request bodies held at once are bounded for the whole process (src/http/memory-budget.ts):
 * past REQUEST_MEMORY_BYTES a request waits, body unread, until an earlier one has been answered;
 * requests without a body never wait.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { limitBufferedBytes } from '../../src/http/memory-budget.js';
import { test } from '../helpers/stack.js';

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('request bodies held at once', () => {
  it('a body that does not fit waits for an answer to end, then is served; GETs pass meanwhile', async () => {
    const held: ServerResponse[] = [];
    const seen: string[] = [];
    const budget = limitBufferedBytes(
      (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        req.resume();
        if (req.url === '/hold') held.push(res);
        else res.end('ok');
      },
      { maxBytes: 60_000, maxRequestBytes: 50_000 },
    );
    const server = createServer(budget.listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body = 'x'.repeat(40_000);

    const first = fetch(`${base}/hold`, { method: 'POST', body });
    await expect.poll(() => held.length).toBe(1);
    // Fits no more: 40,000 + 40,000 > 60,000.
    const second = fetch(`${base}/second`, { method: 'POST', body });
    await expect.poll(() => budget.waiting).toBe(1);
    expect(await (await fetch(`${base}/get`)).text()).toBe('ok');
    expect(seen).toEqual(['POST /hold', 'GET /get']);
    expect(budget.held).toBe(40_000);

    held[0]?.end('done');
    expect(await (await first).text()).toBe('done');
    expect(await (await second).text()).toBe('ok');
    expect(seen).toEqual(['POST /hold', 'GET /get', 'POST /second']);
    await expect.poll(() => budget.held).toBe(0);
    expect(budget.waiting).toBe(0);
  });

  test.override({ stackOptions: { env: { REQUEST_MEMORY_BYTES: '100000' } } });
  test('through the server: 20 concurrent 90 KB bodies with room for one at a time are all answered', async ({ stack }) => {
    const pad = 'p'.repeat(90_000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', variables: { pad: `${i}${pad}` } }) }).then(
          async (r) => [r.status, await r.json()] as const,
        ),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 20 }, () => [200, { data: { __typename: 'Query' } }]));
  });
});
