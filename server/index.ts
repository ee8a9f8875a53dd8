/**
 * `npm run server`: reads the environment, starts the presence server, prints
 * `listening on http://HOST:PORT` (whatever LOG_LEVEL is) and shuts down cleanly on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createPresenceServer } from './app.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`herenow: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // After `npm run build`, the browser build is served at `/` unless WEB_ROOT says otherwise.
  const built = path.resolve(import.meta.dirname, '../dist/renderer');
  if (!config.webRoot && existsSync(path.join(built, 'index.html'))) config = { ...config, webRoot: built };
  const log = createLogger(config);
  if (config.jwtSecretGenerated) log.warn('JWT_SECRET is not set: using a random secret; tokens die with this process');
  const server = await createPresenceServer(config, { log });
  const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`listening on http://${shown}:${server.port}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`herenow: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
