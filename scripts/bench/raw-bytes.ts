/**
 * The raw-bytes floor: a bare node:http server that answers every request with one stored
 * response (the bytes and content type our server sent for it), after reading the request body.
 * No GraphQL, no yoga: what writing the answer costs on this machine.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** `raw-bytes.ts <stored-body> <content-type>` */
const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const [bodyPath, contentType] = positionals;
if (bodyPath === undefined || contentType === undefined || positionals.length > 2) throw new Error('usage: raw-bytes.ts <stored-body> <content-type>');
const body = readFileSync(bodyPath);
const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.byteLength });
    res.end(body);
  });
}).listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`raw bytes on http://127.0.0.1:${address.port}/graphql\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
