/**
 * What every figure gets from the runner (mode, the bench's Redis, which store the server runs
 * on, the time budget) and the helpers they share: a server process per figure, sessions, the
 * load pool. Each helper cleans up in `finally`, so a failing figure leaves nothing running.
 */
import { randomBytes } from 'node:crypto';
import { LoadPool } from '../load/pool.js';
import { flush, type RedisProcess } from '../lib/redis.js';
import { type ServerProc, startServer } from '../lib/procs.js';
import { restSessions, type SessionSource, storeSessions } from '../lib/sessions.js';

export interface BenchContext {
  quick: boolean;
  redis: RedisProcess;
  /** the store the server processes run on: Redis, or memory while Redis is not wired */
  storeKind: 'redis' | 'memory';
  workers: number;
  /** open-file limit (server and bench each hold one fd per connection) */
  fdLimit: number;
  /** absolute Date.now() by which the whole run must be done; optional sizes are skipped past it */
  deadline: number;
  /** time the figures after the current one are expected to need (kept out of timeLeft) */
  reserveMs: number;
  log(msg: string): void;
}

/** One secret for every server of the run, so the bench can sign tokens for sessions it creates. */
export const JWT_SECRET = `bench-${randomBytes(16).toString('hex')}`;
export const REDIS_PREFIX = 'bench';

/** fds a process keeps besides its client sockets (Redis, epoll, pipes, workers...). */
const FD_RESERVE = 300;

/** The server's environment: loopback, any port, quiet, the run's secret and Redis when wired. */
export function serverEnv(ctx: BenchContext, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_SECRET,
    REDIS_PREFIX,
    // Sessions for clients may come through the REST API (memory store): never rate-limit them.
    GUEST_CREATE_PER_MINUTE: '100000000',
    ...extra,
  };
  if (ctx.storeKind === 'redis') env.REDIS_URL = ctx.redis.url;
  return env;
}

/** Most clients one process can hold at once under the fd limit. */
export function clientCap(ctx: BenchContext): number {
  return Math.max(0, ctx.fdLimit - FD_RESERVE);
}

/** ms the current figure may still spend (the later figures' share kept aside). */
export function timeLeft(ctx: BenchContext): number {
  return ctx.deadline - ctx.reserveMs - Date.now();
}

/** Empties Redis so a figure starts from a clean state (no-op for the memory store's sake too). */
export async function cleanRedis(ctx: BenchContext): Promise<void> {
  await flush(ctx.redis.port);
}

/** Starts a server with `env`, runs `fn`, and stops the server whatever happens. */
export async function withServer<T>(
  ctx: BenchContext,
  env: Record<string, string>,
  fn: (server: ServerProc) => Promise<T>,
  nodeArgs: string[] = [],
): Promise<T> {
  const server = await startServer(env, { nodeArgs });
  ctx.log(`server pid ${server.pid} at ${server.url}`);
  try {
    return await fn(server);
  } finally {
    await server.stop('SIGTERM', 15_000);
  }
}

/** Sessions for `server`: through the RedisStore when the server is on Redis, else REST. */
export async function withSessions<T>(
  ctx: BenchContext,
  env: Record<string, string>,
  server: ServerProc,
  fn: (sessions: SessionSource) => Promise<T>,
): Promise<T> {
  const sessions = ctx.storeKind === 'redis' ? await storeSessions(env) : restSessions(server.url);
  try {
    return await fn(sessions);
  } finally {
    await sessions.close();
  }
}

/** Starts the worker threads, runs `fn`, terminates them (closing every client) whatever happens. */
export async function withPool<T>(ctx: BenchContext, fn: (pool: LoadPool) => Promise<T>): Promise<T> {
  const pool = LoadPool.start(ctx.workers);
  try {
    return await fn(pool);
  } finally {
    for (const group of ['main', 'probe', 'churn'] as const) await pool.all('disconnect', { group }, 30_000).catch(() => undefined);
    await pool.close();
  }
}

/** Milliseconds as seconds with one decimal, for method notes. */
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
