/** What the HTTP routes, socket handlers and loops of one server instance share. */
import type { Logger } from 'pino';
import type { TokenService } from './auth/tokens.js';
import type { ServerConfig } from './config.js';
import type { Metrics } from './metrics.js';
import type { Dispatch, IoServer } from './presence/dispatch.js';
import type { Limits } from './socket/limits.js';
import type { PresenceStore } from './store/types.js';

export interface ServerContext {
  config: ServerConfig;
  nodeId: string;
  store: PresenceStore;
  tokens: TokenService;
  limits: Limits;
  metrics: Metrics;
  log: Logger;
  io: IoServer;
  dispatch: Dispatch;
  now: () => number;
  /** true while the store serves from its fallback */
  degraded: () => boolean;
}
