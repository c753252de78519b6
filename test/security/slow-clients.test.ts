/**
 * A client that trickles its request, or never finishes it, is answered 408 and closed once
 * REQUEST_TIMEOUT_MS (body) or HEADERS_TIMEOUT_MS (headers) has passed, instead of holding a
 * socket and its buffered bytes for Node's default five minutes. Raw sockets, so nothing in
 * between finishes the request for us.
 */
import { connect } from 'node:net';
import { expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';

test.override({ stackOptions: { env: { HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000' } } });

/**
 * How long a test waits for the server to close a stalled connection: far below Node's default
 * (five minutes) and far above the timeouts set here, so that a busy machine cannot turn a cut
 * into a "never closed". What is asserted is the close itself and its cause (not before the timeout).
 */
const GIVE_UP_MS = 12_000;

/** Writes `text` on a raw connection and reads until the server closes it (or `giveUpMs`). */
function stall(stack: Stack, text: string, giveUpMs: number): Promise<{ answer: string; closed: boolean; ms: number }> {
  const { hostname, port } = new URL(stack.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), giveUpMs);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
  });
}

test('when a body is announced and never finished, then 408 and the connection closed by the request timeout', async ({ stack }) => {
  const head = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`;
  const result = await stall(stack, `${head}{"query":"{ __typename }"`, GIVE_UP_MS);
  expect(result.closed).toBe(true);
  expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
  // the request timeout cut it (Node counts from before our first byte; 5 ms for clock granularity)
  expect(result.ms).toBeGreaterThanOrEqual(1_000 - 5);
  expect(stack.fixture.calls()).toBe(0);
});

test('when headers are never finished, then the connection is closed by the headers timeout', async ({ stack }) => {
  const result = await stall(stack, 'POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: ', GIVE_UP_MS);
  expect(result.closed).toBe(true);
  expect(result.ms).toBeGreaterThanOrEqual(500 - 5);
});

test('when a slow client was cut, then the server still answers others', async ({ stack }) => {
  expect((await stall(stack, 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{', GIVE_UP_MS)).closed).toBe(true);
  const result = await stack.client.execute('{ __typename }');
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({ __typename: 'Query' });
});
