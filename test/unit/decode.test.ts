import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDecoder, parseContentEncoding, type Coding } from '../../src/http/decode.js';

describe('parseContentEncoding', () => {
  it('when codings are known, then they come in the order applied, identity dropped, any case, x-gzip as gzip', () => {
    expect(parseContentEncoding(undefined)).toEqual([]);
    expect(parseContentEncoding('identity')).toEqual([]);
    expect(parseContentEncoding('GZip')).toEqual(['gzip']);
    expect(parseContentEncoding('x-gzip, br')).toEqual(['gzip', 'br']);
    expect(parseContentEncoding(' deflate ,identity,, br')).toEqual(['deflate', 'br']);
  });

  it('when one coding is unknown, has parameters, or there are more than three, then the whole is refused', () => {
    for (const header of ['compress', 'zstd', 'gzip, rot13', 'gzip;q=1', 'gzip gzip', 'br, br, br, br']) {
      expect(parseContentEncoding(header), header).toBeUndefined();
    }
  });
});

interface Outcome {
  body?: Buffer;
  tooLarge?: boolean;
  invalid?: Coding;
}

function decode(codings: Coding[], input: Buffer, maxBytes: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const decoder = createDecoder(codings, maxBytes, {
      data: (chunk) => parts.push(chunk),
      end: () => resolve({ body: Buffer.concat(parts) }),
      tooLarge: () => resolve({ tooLarge: true }),
      invalid: (coding) => resolve({ invalid: coding }),
    });
    // In small pieces, as a socket would deliver it.
    for (let at = 0; at < input.length; at += 1_000) decoder.write(input.subarray(at, at + 1_000));
    decoder.end();
  });
}

/** A zlib stream of `blocks` empty stored blocks: 5 bytes each, decoding to nothing. */
function emptyBlocks(blocks: number): Buffer {
  const unit = Buffer.from([0, 0, 0, 0xff, 0xff]);
  return Buffer.concat([Buffer.from([0x78, 0x01]), Buffer.concat(Array<Buffer>(blocks).fill(unit)), Buffer.from([1, 0, 0, 0xff, 0xff, 0, 0, 0, 1])]);
}

describe('createDecoder', () => {
  const text = Buffer.from('{"query":"{ __typename }"}'.repeat(100));

  it('when codings are stacked, then they are undone last first', async () => {
    expect(await decode(['deflate', 'br'], brotliCompressSync(deflateSync(text)), 1_000_000)).toEqual({ body: text });
  });

  it('when the output passes the bound, then it stops there', async () => {
    expect(await decode(['gzip'], gzipSync(Buffer.alloc(1_000_000)), 100_000)).toEqual({ tooLarge: true });
    expect(await decode(['gzip'], gzipSync(Buffer.alloc(100_000)), 100_000)).toEqual({ body: Buffer.alloc(100_000) });
  });

  it('when a middle stage would decode to far more than the bound, though the final output is empty, then it stops there', async () => {
    const inner = emptyBlocks(200_000);
    expect((await decode(['deflate'], inner, 2_000_000)).body).toEqual(Buffer.alloc(0));
    expect(await decode(['deflate', 'gzip'], gzipSync(inner), 100_000)).toEqual({ tooLarge: true });
  });

  it('when the bytes are not valid for a coding, then that coding is named', async () => {
    expect(await decode(['gzip'], text, 1_000_000)).toEqual({ invalid: 'gzip' });
    expect(await decode(['deflate', 'gzip'], gzipSync(text), 1_000_000)).toEqual({ invalid: 'deflate' });
    expect(await decode(['gzip'], gzipSync(text).subarray(0, 20), 1_000_000)).toEqual({ invalid: 'gzip' });
  });
});
