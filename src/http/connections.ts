/**
 * Who may hold a connection. node:http's own `maxConnections` refuses every newcomer once the
 * cap is reached, so a thousand silent sockets from one address locked everyone else out. Here
 * the accounting is ours:
 *  - one client address holds at most `maxPerPeer` open connections; past that a new one from
 *    the same address is closed at once (0 = no per-peer cap: behind a load balancer every
 *    connection comes from the balancer, and capping each client is the balancer's job);
 *  - at `maxConnections`, a new connection takes the place of the connection idle the longest
 *    (a keep-alive socket between requests, or one that never sent a request); only when every
 *    connection carries a request in flight is the newcomer refused.
 * IPv6 clients are counted by their /64, what one host is usually given.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIPv6, type Socket } from 'node:net';

export interface ConnectionLimits {
  maxConnections: number;
  /** 0 = no per-peer cap. */
  maxPerPeer: number;
}

/** The key one client's connections are counted under: an IPv4 address, or an IPv6 /64. */
export function peerOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The open connections, which of them are idle (in the order they became so), and how many each
 * peer holds. Pure bookkeeping: `admit` says what to close, the caller closes it.
 */
export class ConnectionTable<S> {
  private readonly peers = new Map<S, string>();
  private readonly perPeer = new Map<string, number>();
  /** Sockets with no request in flight, longest idle first (a Set keeps insertion order). */
  private readonly idle = new Set<S>();
  private readonly inFlight = new Map<S, number>();

  constructor(private readonly limits: ConnectionLimits) {}

  get size(): number {
    return this.peers.size;
  }

  /** Admits `socket` from `peer`, or says it is refused; `evict` is the idle socket to close to make room. */
  admit(socket: S, peer: string): { admitted: false } | { admitted: true; evict?: S } {
    const held = this.perPeer.get(peer) ?? 0;
    if (this.limits.maxPerPeer > 0 && held >= this.limits.maxPerPeer) return { admitted: false };
    let evict: S | undefined;
    if (this.peers.size >= this.limits.maxConnections) {
      evict = this.idle.values().next().value;
      if (evict === undefined) return { admitted: false };
      this.remove(evict);
    }
    this.peers.set(socket, peer);
    this.perPeer.set(peer, held + 1);
    this.idle.add(socket);
    return evict === undefined ? { admitted: true } : { admitted: true, evict };
  }

  /** A request started on `socket`: it is busy until every request on it has ended. */
  busy(socket: S): void {
    if (!this.peers.has(socket)) return;
    this.idle.delete(socket);
    this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
  }

  /** A request on `socket` ended; with none left in flight, it is now the most recently idle. */
  done(socket: S): void {
    const left = (this.inFlight.get(socket) ?? 1) - 1;
    if (left > 0) {
      this.inFlight.set(socket, left);
      return;
    }
    this.inFlight.delete(socket);
    if (this.peers.has(socket)) this.idle.add(socket);
  }

  remove(socket: S): void {
    const peer = this.peers.get(socket);
    if (peer === undefined) return;
    this.peers.delete(socket);
    this.idle.delete(socket);
    this.inFlight.delete(socket);
    const held = (this.perPeer.get(peer) ?? 1) - 1;
    if (held > 0) this.perPeer.set(peer, held);
    else this.perPeer.delete(peer);
  }
}

/**
 * Applies `limits` to every connection `server` accepts. Leave the server's own `maxConnections`
 * unset: its refusal at accept would come before this choice.
 */
export function guardConnections(server: Server, limits: ConnectionLimits): ConnectionTable<Socket> {
  const table = new ConnectionTable<Socket>(limits);
  server.on('connection', (socket: Socket) => {
    const peer = peerOf(socket.remoteAddress);
    if (peer === undefined) return; // already gone
    const verdict = table.admit(socket, peer);
    if (!verdict.admitted) {
      socket.destroy();
      return;
    }
    verdict.evict?.destroy();
    socket.once('close', () => table.remove(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    table.busy(socket);
    res.once('close', () => table.done(socket));
  });
  return table;
}
