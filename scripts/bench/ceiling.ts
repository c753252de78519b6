/** The benchmark ceiling: a bare graphql-yoga server answering every request with one stored result. */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';

const stored = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as { data: unknown };
const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { models(first: Int, after: String, nsfw: Boolean): JSON } scalar JSON', resolvers: {} }),
  logging: false,
  plugins: [{ onExecute: ({ setResultAndStopExecution }) => setResultAndStopExecution(stored as never) } satisfies Plugin],
});
const server = createServer(yoga).listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`ceiling on http://127.0.0.1:${address.port}/graphql\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
