/**
 * Process entry: parse the configuration, optionally boot the embedded fixture upstream
 * (`--fixture`, used by `npm run demo`), serve, and shut down cleanly on SIGINT/SIGTERM.
 */
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';

/** What to do when the port cannot be had: said plainly, instead of a stack trace. */
function listenHint(error: unknown, config: Config): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.server.host}:${config.server.port}`;
  if (code === 'EADDRINUSE') {
    return `${where} is already in use (another civitai-graphql or \`npm run demo\` still running?). Stop it, or choose another port: PORT=4001 npm run demo (PORT=0 takes any free one).`;
  }
  if (code === 'EACCES') return `${where}: no permission to listen there (ports below 1024 need privileges). Choose another: PORT=4000.`;
  return undefined;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  const stops: Array<() => Promise<void>> = [];
  if (process.argv.includes('--fixture')) {
    const { createFixtureUpstream } = await import('../fixture/index.js');
    const fixture = await createFixtureUpstream({ port: Number(process.env.FIXTURE_PORT ?? 0) });
    config = { ...config, upstream: { ...config.upstream, baseUrl: fixture.url } };
    stops.push(() => fixture.close());
    logger.info('fixture upstream started', { url: fixture.url });
  }

  if (config.upstream.apiKey !== undefined && config.upstream.anonymousUsesServerKey) {
    // docs/operations.md, "Security": say it where an operator will read it.
    logger.info('clients without Authorization go upstream with CIVITAI_API_KEY (ANONYMOUS_USES_SERVER_KEY=false turns this off)');
  }
  const server = createServer({ config, logger });
  const { url } = await server.listen().catch(async (error: unknown) => {
    const hint = listenHint(error, config);
    if (hint === undefined) throw error;
    process.stderr.write(`${hint}\n`);
    for (const s of stops) await s();
    process.exit(1);
  });
  stops.unshift(() => server.close());
  process.stdout.write(`civitai-graphql listening on ${url} (GraphiQL in a browser) — upstream ${config.upstream.baseUrl}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    void (async () => {
      for (const s of stops) await s();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
