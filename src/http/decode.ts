/**
 * Content-Encoding of request bodies: gzip (and its alias x-gzip), deflate and br are undone with
 * node:zlib as the bytes arrive; identity is no coding; anything else is refused (the caller
 * answers 415). What a body decodes to is bounded, not only what it weighs on the wire: no stage
 * of the decoding may produce more than `maxBytes` (a stage in the middle of stacked codings
 * included: a deflate stream can carry any number of empty blocks), and at the first byte past it
 * every stage is destroyed, so a bomb costs at most `maxBytes` of output per stage.
 */
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

export type Coding = 'gzip' | 'deflate' | 'br';

/** More codings than this on one body is refused like an unknown one. */
export const MAX_CODINGS = 3;

const KNOWN: Record<string, Coding | null> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br', identity: null };

/** What a refused Content-Encoding is told, with 415. */
export const UNSUPPORTED_ENCODING = `Content-Encoding must be gzip, deflate, br or identity (at most ${MAX_CODINGS} codings).`;

/**
 * The codings of a Content-Encoding header in the order they were applied (identity dropped),
 * or undefined when one of them is not supported. Empty list elements are ignored (RFC 9110 §5.6.1).
 */
export function parseContentEncoding(header: string | undefined): Coding[] | undefined {
  if (header === undefined) return [];
  const codings: Coding[] = [];
  for (const token of header.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '') continue;
    const coding = KNOWN[name];
    if (coding === undefined) return undefined;
    if (coding !== null) codings.push(coding);
  }
  return codings.length > MAX_CODINGS ? undefined : codings;
}

export interface DecodeSink {
  /** Decoded bytes, in order. */
  data(chunk: Buffer): void;
  /** All of the body was decoded. */
  end(): void;
  /** A stage produced more than `maxBytes`; decoding has stopped. */
  tooLarge(): void;
  /** The bytes are not valid for `coding`; decoding has stopped. */
  invalid(coding: Coding): void;
}

export interface Decoder {
  write(chunk: Buffer): void;
  end(): void;
  /** Stops decoding at once; the sink hears nothing more. */
  destroy(): void;
}

function stageFor(coding: Coding): Transform {
  if (coding === 'gzip') return createGunzip();
  if (coding === 'deflate') return createInflate();
  return createBrotliDecompress();
}

/** A decoder of `codings` (as parsed: in the order applied, so undone last first) into `sink`. */
export function createDecoder(codings: readonly Coding[], maxBytes: number, sink: DecodeSink): Decoder {
  const order = [...codings].reverse();
  const stages = order.map(stageFor);
  let settled = false;
  const stop = () => {
    settled = true;
    for (const stage of stages) stage.destroy();
  };
  stages.forEach((stage, i) => {
    let produced = 0;
    const next = stages[i + 1];
    stage.on('data', (chunk: Buffer) => {
      if (settled) return;
      produced += chunk.length;
      if (produced > maxBytes) {
        stop();
        sink.tooLarge();
        return;
      }
      if (next) next.write(chunk);
      else sink.data(chunk);
    });
    stage.once('end', () => {
      if (settled) return;
      if (next) next.end();
      else {
        settled = true;
        sink.end();
      }
    });
    stage.once('error', () => {
      if (settled) return;
      stop();
      sink.invalid(order[i]!);
    });
  });
  const first = stages[0]!;
  return {
    write: (chunk) => {
      if (!settled) first.write(chunk);
    },
    end: () => {
      if (!settled) first.end();
    },
    destroy: stop,
  };
}
