/**
 * One subscriber's queue: the events a poll found for it, waiting for its reader (the SSE or
 * multipart response pulls them). It holds at most `capacity` events: a reader that falls that
 * far behind gets one error item and the end of its stream, never unbounded buffering. Ending it
 * (a close, a return from the reader, an overflow) calls `onClose` once.
 */
export type Queued<E> = { readonly kind: 'event'; readonly event: E } | { readonly kind: 'error'; readonly error: Error };

export interface SubscriberQueue<E> extends AsyncIterableIterator<Queued<E>> {
  /** Adds an event; false when the queue is closed (or has just been closed by this overflow). */
  push(event: E): boolean;
  /** Ends the stream after what is queued, with a last error item when given. */
  end(error?: Error): void;
  readonly size: number;
}

export function createQueue<E>(capacity: number, overflow: () => Error, onClose: () => void): SubscriberQueue<E> {
  const items: Array<Queued<E>> = [];
  let waiting: ((result: IteratorResult<Queued<E>>) => void) | undefined;
  let ended = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  const deliver = (item: Queued<E>) => {
    const wake = waiting;
    waiting = undefined;
    if (wake) wake({ done: false, value: item });
    else items.push(item);
  };
  const finish = () => {
    ended = true;
    close();
    const wake = waiting;
    waiting = undefined;
    wake?.({ done: true, value: undefined });
  };
  const queue: SubscriberQueue<E> = {
    push(event) {
      if (ended) return false;
      if (items.length >= capacity) {
        queue.end(overflow());
        return false;
      }
      deliver({ kind: 'event', event });
      return true;
    },
    end(error) {
      if (ended) return;
      ended = true;
      if (error) deliver({ kind: 'error', error });
      close();
      if (items.length === 0) finish();
    },
    get size() {
      return items.length;
    },
    next() {
      const item = items.shift();
      if (item) return Promise.resolve({ done: false, value: item });
      if (ended) {
        finish();
        return Promise.resolve({ done: true, value: undefined });
      }
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      items.length = 0;
      finish();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
