import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModelListCursor } from '../../src/upstream/models.js';

const samples = join(import.meta.dirname, '../../../shared/civitai-samples');

describe('the shape of /models cursors (checked before one from a client cursor is sent)', () => {
  it('when a cursor has the shape Civitai issues, then it is accepted', () => {
    const recorded = (JSON.parse(readFileSync(join(samples, 'live-models-page.json'), 'utf8')) as { metadata: { nextCursor: string } }).metadata.nextCursor;
    for (const cursor of [recorded, '22138|364671|25494', '0|0|1', '2024-03-10 21:35:22.332|123', '2024-03-10T21:35:22.332Z|123', '4.5|10|7']) {
      expect(isModelListCursor(cursor, {}), cursor).toBe(true);
    }
    expect(isModelListCursor('100', { query: 'a' })).toBe(true);
  });

  it.each([
    ['a search offset on a browse list', '100', {}],
    ['a browse cursor on a search', '1|2|3', { query: 'a' }],
    ['URL syntax', 'evil&nsfw=true', {}],
    ['URL syntax in a part', '1|2|3&nsfw=true', {}],
    ['an encoded part', '1|2|3%26nsfw', {}],
    ['one part', '12345', {}],
    ['five parts', '1|2|3|4|5', {}],
    ['an empty part', '1||3', {}],
    ['letters', 'a|b|c', {}],
    ['a huge number', `${'9'.repeat(30)}|1`, {}],
    ['a negative search offset', '-1', { query: 'a' }],
    ['a huge search offset', '1'.repeat(12), { query: 'a' }],
  ])('when the cursor is %s, then it is refused', (_what, cursor, params) => {
    expect(isModelListCursor(cursor, params)).toBe(false);
  });
});
