import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('GraphQL over HTTP', () => {
  for (const audit of serverAudits({ url: () => stack.url })) {
    it(`${audit.name}`, async () => {
      const result = await audit.fn();
      // Every MUST audit passes; SHOULD/MAY audits are informative.
      if (audit.name.startsWith('MUST')) expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
    });
  }
});

describe('GraphiQL', () => {
  it('when a browser asks for /graphql, then a GraphiQL page with local assets and the default query is served', async () => {
    const response = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('civitai-graphql');
    expect(html).toContain('TopModels');
    // No CDN: an offline browser must still render it.
    expect(html).not.toMatch(/https:\/\/(unpkg\.com|cdn\.jsdelivr\.net|esm\.sh)/);
  });

  it('when the health check is asked, then it answers 200', async () => {
    const response = await fetch(stack.url.replace('/graphql', '/health'));
    expect(response.status).toBe(200);
  });
});
