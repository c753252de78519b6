/**
 * HTTP-level hostility for `npm run soak -- --hostile`, beside the GraphQL mix of hostile.ts:
 * a gzip bomb (small on the wire, far past MAX_REQUEST_BYTES decoded; expected 413), a body
 * with a Content-Encoding the server does not know (expected 415), and one address (127.0.0.2)
 * holding silent sockets for the whole run, reopening those the server closes, so the other
 * clients (127.0.0.1) show whether one peer can hold the door.
 */
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/** Concatenated gzip members of 1 MB of zeros each (~1 KB apiece): a member per 1,000 bytes of `wireBytes`. */
export function gzipBomb(wireBytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
  return Buffer.concat(Array<Buffer>(Math.max(1, Math.floor(wireBytes / member.length))).fill(member));
}

/** A hoarder reopens what the server closed after this long: holding, not flooding accept. */
const REOPEN_MS = 5_000;

export interface Hoarder {
  /** Sockets currently open from the hoarding address. */
  open(): number;
  /** Connections made in all (first ones and reopenings). */
  opened(): number;
  stop(): void;
}

/**
 * Keeps up to `count` silent sockets open from `localAddress` to `url`'s host (they never send a
 * byte nor close their side); a socket the server closes is reopened REOPEN_MS later (never in a
 * tight loop).
 */
export function hoardSockets(url: string, count: number, localAddress = '127.0.0.2'): Hoarder {
  const { hostname, port } = new URL(url);
  const sockets = new Set<Socket>();
  let opened = 0;
  let stopped = false;
  const open = () => {
    if (stopped) return;
    opened++;
    const socket = connect({ host: hostname, port: Number(port), localAddress, allowHalfOpen: true });
    sockets.add(socket);
    socket.on('error', () => undefined);
    // Read only to notice the server's close (a 408, or a refusal); then reopen.
    socket.resume();
    socket.once('end', () => socket.destroy());
    socket.once('close', () => {
      sockets.delete(socket);
      setTimeout(open, REOPEN_MS).unref();
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    open: () => [...sockets].filter((s) => s.readyState === 'open').length,
    opened: () => opened,
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}
