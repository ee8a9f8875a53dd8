/**
 * Where the app's presence server is: a remote one (`HERENOW_SERVER_URL`), or the all-in-one
 * mode's own server started in this process on a free loopback port. Pure: the server factory is
 * passed in, so main.ts can load server/app.js lazily (remote mode never loads server code) and
 * tests can pass a fake.
 */
import type { ServerConfig } from '../server/config.js';
import type { DesktopConfig } from './config.js';

/** What `createPresenceServer` (server/app.ts) returns, as far as the app needs it. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}
export type ServerFactory = (config: ServerConfig) => Promise<RunningServer>;

export interface Backend {
  mode: 'remote' | 'embedded';
  serverUrl: string;
  /**
   * Names the server for the session store (a token only means something to the server that
   * issued it); null when no session can outlive this process, so none is written to disk.
   */
  sessionKey: string | null;
  close(): Promise<void>;
}

/** Starts the embedded server, or just names the remote one. */
export async function setupEmbedded(config: DesktopConfig, createServer: ServerFactory): Promise<Backend> {
  if (config.serverUrl !== null) {
    return { mode: 'remote', serverUrl: config.serverUrl, sessionKey: config.serverUrl, close: () => Promise.resolve() };
  }
  const serverConfig = config.embeddedServer;
  if (serverConfig === null) throw new Error('no server URL and no embedded server config');
  const server = await createServer(serverConfig);
  return {
    mode: 'embedded',
    serverUrl: server.url,
    sessionKey: embeddedSessionKey(serverConfig),
    close: () => server.close(),
  };
}

/**
 * The port changes every launch; a session survives a restart only when its store does (Redis)
 * and so does the key that signed its token (a configured JWT_SECRET).
 */
function embeddedSessionKey(server: ServerConfig): string | null {
  if (server.jwtSecretGenerated) return null;
  if (server.redisClusterNodes) return `embedded:redis-cluster:${server.redisClusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return server.redisUrl ? `embedded:${server.redisUrl}` : null;
}
