/**
 * No peer can hold the door: one address holding a thousand silent sockets takes at most its
 * share (MAX_CONNECTIONS_PER_PEER), idle sockets give way to new ones when MAX_CONNECTIONS is
 * reached, and a socket answered 408 is closed for good instead of lingering half-open. The
 * hoarder connects from 127.0.0.2, everyone else from 127.0.0.1 (both loopback on Linux).
 */
import { connect, type Socket } from 'node:net';
import { request as httpRequest, Agent } from 'node:http';
import { describe, expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';

const HOARDER = '127.0.0.2';

/**
 * Opens `count` sockets from `localAddress` that send nothing and never close their side, even
 * once the server has closed its own; resolves once each connected or failed (5 s at most).
 */
async function hoard(stack: Stack, count: number, localAddress = HOARDER): Promise<Socket[]> {
  const { port } = new URL(stack.url);
  const sockets: Socket[] = [];
  const settled = Array.from({ length: count }, () => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress, allowHalfOpen: true });
    sockets.push(socket);
    socket.on('error', () => undefined);
    return new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    });
  });
  await Promise.race([Promise.all(settled), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  // Let the server accept (and sort out) the whole backlog.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return sockets;
}

const release = (sockets: Socket[]) => sockets.forEach((s) => s.destroy());
const stillOpen = (sockets: Socket[]) => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;

/** One GraphQL request from 127.0.0.1 on a fresh connection, given at most `withinMs`. */
async function probe(stack: Stack, withinMs: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ query: '{ __typename }' }),
    signal: AbortSignal.timeout(withinMs),
  });
  return { status: response.status, body: await response.json() };
}

/** Server-side sockets as they are accepted, to watch them close. */
function watchServerSockets(stack: Stack): Socket[] {
  const seen: Socket[] = [];
  stack.server.http.on('connection', (socket: Socket) => seen.push(socket));
  return seen;
}

describe('one peer holding sockets', () => {
  test('when one peer holds 1,000 silent sockets, then a client from another address is served within a second', async ({ stack }) => {
    const hoarded = await hoard(stack, 1_000);
    try {
      const answer = await probe(stack, 1_000);
      expect(answer).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      // The hoarder keeps its share and no more.
      expect(stillOpen(hoarded)).toBeLessThanOrEqual(stack.config.server.maxConnectionsPerPeer);
      expect(stillOpen(hoarded)).toBeGreaterThan(0);
    } finally {
      release(hoarded);
    }
  });

  describe('with MAX_CONNECTIONS_PER_PEER=3', () => {
    test.override({ stackOptions: { env: { MAX_CONNECTIONS_PER_PEER: '3' } } });

    test('when a peer opens more than its share, then the extra sockets are closed and its first ones still work', async ({ stack }) => {
      const hoarded = await hoard(stack, 10);
      try {
        expect(stillOpen(hoarded)).toBe(3);
        // The sockets it kept are served like any other.
        const kept = hoarded.find((s) => !s.destroyed && s.readyState === 'open')!;
        const answer = await new Promise<string>((resolve) => {
          let text = '';
          kept.on('data', (d: Buffer) => (text += d.toString()));
          kept.once('end', () => resolve(text));
          kept.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
        });
        expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      } finally {
        release(hoarded);
      }
    });
  });

  describe('behind a load balancer (MAX_CONNECTIONS_PER_PEER=0, MAX_CONNECTIONS=50)', () => {
    test.override({ stackOptions: { env: { MAX_CONNECTIONS_PER_PEER: '0', MAX_CONNECTIONS: '50' } } });

    test('when one peer holds every slot with silent sockets, then a new client is still served, in place of the longest idle', async ({ stack }) => {
      const hoarded = await hoard(stack, 50);
      try {
        expect(stillOpen(hoarded)).toBe(50);
        const answer = await probe(stack, 1_000);
        expect(answer).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
        // The oldest silent socket made room.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(hoarded[0]!.readyState).not.toBe('open');
        expect(stillOpen(hoarded)).toBeGreaterThanOrEqual(48);
      } finally {
        release(hoarded);
      }
    });
  });

  describe('with MAX_CONNECTIONS=4 and no per-peer cap', () => {
    test.override({ stackOptions: { env: { MAX_CONNECTIONS_PER_PEER: '0', MAX_CONNECTIONS: '4' } } });

    test('when every slot carries a request in flight, then a new connection is refused rather than one of them cut', async ({ stack }) => {
      const { port } = new URL(stack.url);
      // Four uploads that announce a body and send only part of it: busy, not idle.
      const busy = Array.from({ length: 4 }, () => connect({ host: '127.0.0.1', port: Number(port) }));
      for (const socket of busy) {
        socket.on('error', () => undefined);
        socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{');
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      try {
        await expect(probe(stack, 1_000)).rejects.toThrow();
        expect(stillOpen(busy)).toBe(4);
      } finally {
        release(busy);
      }
    });

    test('when the slots hold an idle keep-alive socket, then it is the first to go for a new client', async ({ stack }) => {
      const url = new URL(stack.url);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      // One keep-alive connection that finished a request, then three silent sockets after it.
      const first = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      expect(first).toBe(200);
      const keptAlive = [...Object.values(agent.freeSockets).flat()][0]!;
      const closed = new Promise<void>((resolve) => keptAlive.once('close', () => resolve()));
      const silent = await hoard(stack, 3, '127.0.0.1');
      try {
        const answer = await probe(stack, 1_000);
        expect(answer.status).toBe(200);
        await closed;
        expect(stillOpen(silent)).toBe(3);
      } finally {
        release(silent);
        agent.destroy();
      }
    });
  });
});

describe('timed-out sockets', () => {
  test.override({ stackOptions: { env: { HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000' } } });

  test('when a silent client is answered 408, then the server closes its socket fully soon after, though the client never closes', async ({ stack }) => {
    const serverSockets = watchServerSockets(stack);
    const [client] = await hoard(stack, 1, '127.0.0.1');
    let answer = '';
    let answeredAt = 0;
    client!.on('data', (d: Buffer) => {
      answer += d.toString();
      answeredAt ||= Date.now();
    });
    try {
      const server = serverSockets[0]!;
      const closedAt = await new Promise<number>((resolve) => {
        server.once('close', () => resolve(Date.now()));
        setTimeout(() => resolve(0), 6_000);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAt).toBeGreaterThan(0);
      expect(closedAt - answeredAt).toBeLessThan(2_500);
      expect(server.destroyed).toBe(true);
    } finally {
      client!.destroy();
    }
  });
});
