import { serverAudits } from 'graphql-http';
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

describe('GraphQL over HTTP', () => {
  let url = '';
  for (const audit of serverAudits({ url: () => url })) {
    test(`${audit.name}`, async ({ stack }) => {
      url = stack.url;
      const result = await audit.fn();
      // Every MUST audit passes; SHOULD/MAY audits are informative.
      if (audit.name.startsWith('MUST')) expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
    });
  }
});

describe('GraphiQL', () => {
  test('when a browser asks for /graphql, then a GraphiQL page with local assets and the default query is served', async ({ stack }) => {
    const response = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('civitai-graphql');
    expect(html).toContain('TopModels');
    // No CDN: an offline browser must still render it.
    expect(html).not.toMatch(/https:\/\/(unpkg\.com|cdn\.jsdelivr\.net|esm\.sh)/);
  });

  test('when the health check is asked, then it answers 200', async ({ stack }) => {
    const response = await fetch(stack.url.replace('/graphql', '/health'));
    expect(response.status).toBe(200);
  });
});
