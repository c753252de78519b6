import { describe, expect, it } from 'vitest';
import { modelListRequest } from '../../src/upstream/models.js';
import { imageListRequest } from '../../src/upstream/images.js';
import { MAX_UPSTREAM_CURSOR_LENGTH, Reading } from '../../src/upstream/read.js';
import { readMetadata } from '../../src/upstream/shapes.js';
import { targetOf } from '../../src/upstream/transport.js';

/** Civitai's cursors are carried, not parsed: whatever it issued goes back to it as it came. */
describe('upstream cursors', () => {
  const tokens = ['22138|364671|25494', '2024-03-10 21:35:22.332|123', 'v9:JjIyMTM4fDM2NDY3MXwyNTQ5ND8=', 'evil&nsfw=true', 'é/?#%20', '@5'];

  it.each(tokens)('when Civitai issued %j, then it is sent back verbatim, URL-encoded', (token) => {
    for (const request of [modelListRequest({ limit: 5, cursor: token }), imageListRequest({ limit: 5, cursor: token, withMeta: false })]) {
      const url = new URL(`http://x${targetOf(request)}`);
      expect(url.searchParams.getAll('cursor')).toEqual([token]);
      // Nothing it holds becomes a parameter of its own.
      expect(url.searchParams.has('nsfw')).toBe(false);
    }
  });

  it('when a next cursor is any non-empty string or a number within the bound, then it is kept as a string; past the bound it is drift and the list ends there', () => {
    const r = new Reading();
    expect(readMetadata(r, { nextCursor: 'anything at all: {"x": 1}' }).nextCursor).toBe('anything at all: {"x": 1}');
    expect(readMetadata(r, { nextCursor: 1234 }).nextCursor).toBe('1234');
    expect(readMetadata(r, { nextCursor: 'x'.repeat(MAX_UPSTREAM_CURSOR_LENGTH) }).nextCursor).toHaveLength(MAX_UPSTREAM_CURSOR_LENGTH);
    expect(r.drift.size).toBe(0);
    expect(readMetadata(r, { nextCursor: 'x'.repeat(MAX_UPSTREAM_CURSOR_LENGTH + 1) }).nextCursor).toBeUndefined();
    expect(readMetadata(r, { nextCursor: { page: 2 } }).nextCursor).toBeUndefined();
    expect([...r.drift]).toEqual([['metadata.nextCursor', 'object']]);
  });
});
