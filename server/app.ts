/**
 * createPresenceServer: builds the whole presence server in-process (HTTP + Socket.IO + store +
 * loops) so that `npm run server`, the tests, the bench and the desktop app's all-in-one mode
 * start the very same thing.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { createTokenService } from './auth/tokens.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { apiRouter, errorHandlers } from './http/routes.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { StatsBroadcaster } from './presence/broadcaster.js';
import { createDispatch, type IoServer } from './presence/dispatch.js';
import { every, type Loop } from './presence/loop.js';
import { serveConnection, type IoSocket } from './socket/handlers.js';
import { authMiddleware } from './socket/auth.js';
import { createLimits } from './socket/limits.js';
import { Liveness } from './socket/liveness.js';
import { allowOrigin } from './http/origin.js';
import { openStore } from './store/open.js';
import { attachRedisAdapter } from './cluster/adapter.js';
import { Membership } from './cluster/membership.js';
import type { PresenceStore } from './store/types.js';

export interface PresenceServer {
  /** http://host:port, with the real port when configured with port 0 */
  url: string;
  port: number;
  nodeId: string;
  store: PresenceStore;
  /** runs every background loop once now (tests drive time with it) */
  tick(): Promise<void>;
  /** re-asserts this node's live connections in the store now; returns the repairs made */
  repair(): Promise<{ added: number; removed: number }>;
  close(): Promise<void>;
}

export interface ServerDeps {
  /** a store to use instead of the configured one (not closed by close()) */
  store?: PresenceStore;
  /** the clock; Date.now by default */
  now?: () => number;
  log?: Logger;
}

/** Starts a presence server; resolves once it listens. */
export async function createPresenceServer(config: ServerConfig, deps: ServerDeps = {}): Promise<PresenceServer> {
  const log = deps.log ?? createLogger(config);
  const now = deps.now ?? Date.now;
  const ownsStore = !deps.store;
  const opened = deps.store ? { store: deps.store, failover: null, redis: null } : await openStore(config, log);
  const { store, redis } = opened;
  const metrics = createMetrics();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const httpServer = createServer(app);
  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, fn) => fn(null, allowOrigin(req, config.corsOrigins)),
    cors: config.corsOrigins ? { origin: config.corsOrigins } : undefined,
  });

  const degraded = () => 'degraded' in store && (store as { degraded: unknown }).degraded === true;
  const ctx: ServerContext = {
    config,
    nodeId: randomUUID(),
    store,
    tokens: createTokenService({ secret: config.jwtSecret, ttlMs: config.tokenTtlMs, refreshGraceMs: config.tokenRefreshGraceMs }),
    limits: createLimits(config),
    metrics,
    log,
    io,
    dispatch: createDispatch(io),
    now,
    degraded,
  };

  app.use(apiRouter(ctx));
  if (config.webRoot) {
    const root = path.resolve(config.webRoot);
    app.use(
      express.static(root, {
        index: 'index.html',
        maxAge: '1h',
        // Hashed assets may be cached; the page itself must be revalidated to pick up a new build.
        setHeaders: (res, file) => {
          if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
  }
  const { notFound, onError } = errorHandlers(ctx);
  app.use(notFound, onError);

  const detachAdapter = redis ? await attachRedisAdapter(io, redis, log, config.redisPrefix) : async () => undefined;
  const liveness = new Liveness(config.staleTimeoutMs);
  // The first HTTP request of each connection is kept by default; nothing here needs it after the
  // handshake, and dropping it saves several KB per connection (Socket.IO's memory-usage guide).
  io.engine.on('connection', (raw: { request: unknown }) => {
    raw.request = null;
  });
  io.use(authMiddleware(ctx));
  io.on('connection', (socket: IoSocket) => serveConnection(ctx, socket, liveness));

  const membership = new Membership({
    nodeId: ctx.nodeId,
    store,
    leaseMs: config.nodeLeaseMs,
    now,
    dispatch: ctx.dispatch,
    metrics,
    log,
    liveConnections: () => [...io.of('/').sockets.values()].map((s) => ({ userId: s.data.userId, connId: s.data.connId })),
    dropLocal: (connId) => io.of('/').sockets.get(connId)?.disconnect(true),
  });
  await membership.heartbeat();
  // After a Redis outage: tell users what could not survive it, then re-assert this node's live
  // sockets (the store already wrote back what it knew) before `degraded` clears.
  opened.failover?.onRecovered(async ({ events }) => {
    ctx.dispatch({ events });
    membership.recovered();
    await membership.repair();
  });
  const broadcaster = new StatsBroadcaster({ io, store, now, degraded, metrics, log });
  await broadcaster.start();
  const onLoopError = (op: string) => (err: unknown) => {
    metrics.storeErrors.inc({ op });
    log.error({ err, op }, 'background loop failed');
  };
  const sweepMs = Math.max(20, Math.min(1_000, Math.floor(config.leaveGraceMs / 4) || 1_000));
  const loops: Loop[] = [
    every(config.statsIntervalMs, () => broadcaster.tick(), onLoopError('broadcast')),
    every(sweepMs, async () => ctx.dispatch(await store.sweep(now())), onLoopError('sweep')),
    every(Math.max(20, Math.min(5_000, Math.floor(config.staleTimeoutMs / 4))), async () => void liveness.sweep(now()), onLoopError('liveness')),
    every(config.historySampleMs, () => sampleHistory(store, now(), config.historySampleMs), onLoopError('history')),
    every(Math.max(100, Math.floor(config.nodeLeaseMs / 3)), () => membership.heartbeat(), onLoopError('lease')),
    every(config.nodeLeaseMs, async () => void (await membership.repair()), onLoopError('repair')),
  ];

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    // A deep accept queue: after a restart thousands of clients reconnect at once, and SYNs
    // dropped from Node's default 511-deep queue wait for TCP's 1, 3, 7, 15 s retransmits.
    httpServer.listen({ port: config.port, host: config.host, backlog: 4096 }, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, store: store.kind, nodeId: ctx.nodeId }, 'presence server started');

  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    nodeId: ctx.nodeId,
    store,
    tick: async () => {
      for (const loop of loops) await loop.tick();
    },
    repair: () => membership.repair(),
    close: () =>
      (closed ??= (async () => {
        for (const loop of loops) loop.stop();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        // Whatever the disconnect handlers did not remove yet, remove now.
        ctx.dispatch(await store.dropNode(ctx.nodeId, now()).catch(() => ({ events: [] })));
        await detachAdapter();
        if (ownsStore) await store.close();
        log.info('presence server closed');
      })()),
  };
}

/** Appends one history point per sample period (aligned, so several nodes write the same t). */
async function sampleHistory(store: PresenceStore, now: number, periodMs: number): Promise<void> {
  const t = Math.floor(now / periodMs) * periodMs;
  const { stats } = await store.stats(now);
  await store.appendHistory({
    t,
    onlineUsers: stats.onlineUsers,
    activeUsers: stats.activeUsers,
    availableUsers: stats.availableUsers,
    connectedUsers: stats.connectedUsers,
  });
}
