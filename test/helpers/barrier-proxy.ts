/**
 * A pass-through proxy in front of the fixture upstream, on 127.0.0.1 with an ephemeral port,
 * that holds every request until `parties` requests have arrived, then lets them all through:
 * callers are shown to overlap by events (arrivals), not by an upstream latency long enough to
 * make an overlap likely. `release()` opens it early (a test's own way out when fewer arrive).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BarrierProxy {
  readonly url: string;
  /** Requests that have arrived so far. */
  readonly arrived: number;
  /** Resolves when `parties` requests have arrived. */
  readonly full: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

export async function startBarrierProxy(target: string, parties: number): Promise<BarrierProxy> {
  const upstream = new URL(target);
  let arrived = 0;
  let open!: () => void;
  const full = new Promise<void>((resolve) => (open = resolve));
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server = createServer((req, res) => {
    if (++arrived >= parties) open();
    void full.then(() => forward(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname === '/' ? '' : upstream.pathname}`,
    get arrived() {
      return arrived;
    },
    full,
    release: () => open(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
