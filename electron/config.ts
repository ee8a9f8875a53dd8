/**
 * The desktop app's configuration, read from the environment once, here, and passed down.
 * The embedded server reads the very same variables as `npm run server` (PROTOCOL.md's table,
 * validated by server/config.ts), except where it listens: always loopback, any free port.
 */
import { z } from 'zod';
import { ConfigError, loadConfig } from '../server/config.js';
import type { ServerConfig } from '../server/config.js';

export interface DesktopConfig {
  /** a remote presence server; null: start the embedded one (all-in-one mode) */
  serverUrl: string | null;
  /** a renderer dev server (Vite) to load instead of the built renderer */
  rendererUrl: string | null;
  /** the embedded server's config; null when serverUrl is set (server variables not even read) */
  embeddedServer: ServerConfig | null;
  /** how often the tray may redraw: the server's stats cadence, so no update is ever skipped */
  trayIntervalMs: number;
}

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));

const envSchema = z.object({
  HERENOW_SERVER_URL: httpUrl.optional(),
  HERENOW_RENDERER_URL: httpUrl.optional(),
});

/** Reads and validates the desktop app's environment; throws ConfigError naming what is wrong. */
export function loadDesktopConfig(env: Record<string, string | undefined>): DesktopConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid desktop configuration:\n${lines.join('\n')}`);
  }
  const serverUrl = parsed.data.HERENOW_SERVER_URL ?? null;
  const embeddedServer = serverUrl === null ? embeddedServerConfig(present) : null;
  return {
    serverUrl,
    rendererUrl: parsed.data.HERENOW_RENDERER_URL ?? null,
    embeddedServer,
    // A remote server's cadence is unknown here; PROTOCOL.md's default is what servers run.
    trayIntervalMs: embeddedServer?.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS,
  };
}

const DEFAULT_STATS_INTERVAL_MS = 1_000;

/**
 * The embedded server's config. HOST and PORT are forced (loopback, any free port: nothing else
 * on the network should reach a desktop's private server), NODE_ENV is left out (its
 * production rule demands a JWT_SECRET, which guards multi-node deployments, not a loopback
 * server), and the log level defaults to `warn` so a desktop launch stays quiet.
 */
function embeddedServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const { HOST: _host, PORT: _port, NODE_ENV: _nodeEnv, ...rest } = env;
  return { ...loadConfig({ LOG_LEVEL: 'warn', ...rest }), host: '127.0.0.1', port: 0 };
}
