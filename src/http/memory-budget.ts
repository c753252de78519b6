/**
 * Request bodies held at once, bounded for the whole process (REQUEST_MEMORY_BYTES): each body
 * is at most MAX_REQUEST_BYTES, but MAX_CONNECTIONS of them at once would be 100 MB by default
 * (and ~3× that once decoded and parsed). A request with a body reserves its size (the declared
 * Content-Length, or MAX_REQUEST_BYTES when the length is unknown or the body is encoded) before
 * its body is read, and frees it when its response ends. A request that does not fit waits, in
 * arrival order, with its body unread: node stops reading its socket once a few KB are buffered,
 * so waiting costs nothing but time, and a client that cannot wait meets REQUEST_TIMEOUT_MS (408).
 * Nothing is refused here; requests without a body pass at once.
 */
import type { IncomingMessage, RequestListener } from 'node:http';

export interface BufferBudgetOptions {
  /** Bytes of request bodies held at once. */
  maxBytes: number;
  /** MAX_REQUEST_BYTES: what a body of unknown length may still become. */
  maxRequestBytes: number;
}

/** What a request's body may hold: 0 without a body. */
export function bodyReservation(req: IncomingMessage, maxRequestBytes: number): number {
  const declared = req.headers['content-length'];
  const encoded = req.headers['content-encoding'] !== undefined && req.headers['content-encoding'] !== 'identity';
  if (req.headers['transfer-encoding'] !== undefined || encoded) return maxRequestBytes;
  if (declared === undefined) return 0;
  const length = Number(declared);
  return Number.isFinite(length) && length >= 0 ? Math.min(length, maxRequestBytes) : maxRequestBytes;
}

export interface BufferBudget {
  readonly listener: RequestListener;
  /** Bytes reserved now, and requests waiting for room. */
  readonly held: number;
  readonly waiting: number;
}

export function limitBufferedBytes(next: RequestListener, options: BufferBudgetOptions): BufferBudget {
  // One maximum-size body always fits, whatever the setting.
  const maxBytes = Math.max(options.maxBytes, options.maxRequestBytes);
  let held = 0;
  const queue: Array<{ bytes: number; admit: () => void }> = [];
  const admitWaiting = () => {
    while (queue.length > 0 && held + (queue[0]?.bytes ?? 0) <= maxBytes) queue.shift()?.admit();
  };
  const admit = (req: IncomingMessage, res: Parameters<RequestListener>[1], bytes: number) => {
    held += bytes;
    res.once('close', () => {
      held -= bytes;
      admitWaiting();
    });
    next(req, res);
  };
  return {
    listener(req, res) {
      const bytes = bodyReservation(req, options.maxRequestBytes);
      if (bytes === 0) return next(req, res);
      if (queue.length === 0 && held + bytes <= maxBytes) return admit(req, res, bytes);
      const entry = { bytes, admit: () => admit(req, res, bytes) };
      queue.push(entry);
      // Timed out or gone while waiting: it leaves the queue without having held anything.
      res.once('close', () => {
        const at = queue.indexOf(entry);
        if (at !== -1) {
          queue.splice(at, 1);
          admitWaiting();
        }
      });
    },
    get held() {
      return held;
    },
    get waiting() {
      return queue.length;
    },
  };
}
