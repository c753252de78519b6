/**
 * The benchmark ceiling: a bare graphql-yoga server over our own SDL that answers every request with
 * one stored result, so parsing, validation and serialisation are the same work as ours and only
 * resolving is skipped.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';

/** `ceiling.ts <stored-result.json>` */
const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const [storedPath] = positionals;
if (storedPath === undefined || positionals.length > 1) throw new Error('usage: ceiling.ts <stored-result.json>');
const stored = JSON.parse(readFileSync(storedPath, 'utf8')) as { data: unknown };
const typeDefs = readFileSync(join(import.meta.dirname, '../../schema.graphql'), 'utf8');
const yoga = createYoga({
  schema: createSchema({ typeDefs, resolvers: {} }),
  logging: false,
  plugins: [{ onExecute: ({ setResultAndStopExecution }) => setResultAndStopExecution(stored as never) } satisfies Plugin],
});
const server = createServer(yoga).listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`ceiling on http://127.0.0.1:${address.port}/graphql\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
