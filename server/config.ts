/**
 * Server configuration: read and validated once, here, then passed down. No other module reads
 * process.env. Names and defaults are PROTOCOL.md's "Configuration" table.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MAX_BUCKETS } from './store/redis/keys.js';

const ms = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^[^,:\s]+:\d+(,[^,:\s]+:\d+)*$/, 'must be host:port,host:port,...')
      .optional(),
    REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,40}$/).default('hn'),
    REDIS_BUCKETS: z.coerce.number().int().min(1).max(MAX_BUCKETS).optional(),
    JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    HEARTBEAT_INTERVAL_MS: ms(30_000, 100),
    STALE_TIMEOUT_MS: ms(75_000, 100),
    LEAVE_GRACE_MS: ms(5_000, 0),
    STATS_INTERVAL_MS: ms(1_000, 10),
    ACTIVE_WINDOW_MS: ms(300_000, 1_000),
    SESSION_TTL_MS: ms(7_200_000, 1_000),
    TOKEN_TTL_MS: ms(3_600_000, 1_000),
    TOKEN_REFRESH_GRACE_MS: ms(86_400_000, 0),
    NODE_LEASE_MS: ms(15_000, 1_000),
    HISTORY_SAMPLE_MS: ms(60_000, 10),
    GUEST_CREATE_PER_MINUTE: ms(30, 1),
    EVENTS_PER_SECOND: ms(20, 1),
    CHAT_MESSAGES_PER_10S: ms(20, 1),
    CORS_ORIGINS: z.string().optional(),
    LOG_LEVEL: z.enum(levels).default('info'),
    WEB_ROOT: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.STALE_TIMEOUT_MS <= env.HEARTBEAT_INTERVAL_MS) {
      ctx.addIssue({ code: 'custom', path: ['STALE_TIMEOUT_MS'], message: 'must be longer than HEARTBEAT_INTERVAL_MS' });
    }
    // An online user must always count as active (online <= active): the longest an online user
    // can go unseen is the stale timeout plus the leave grace.
    if (env.ACTIVE_WINDOW_MS <= env.STALE_TIMEOUT_MS + env.LEAVE_GRACE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACTIVE_WINDOW_MS'],
        message: 'must be longer than STALE_TIMEOUT_MS + LEAVE_GRACE_MS',
      });
    }
  });

export interface ServerConfig {
  port: number;
  host: string;
  redisUrl: string | null;
  redisClusterNodes: { host: string; port: number }[] | null;
  redisPrefix: string;
  /** hash-tag buckets user state is spread over (default 1 on a single Redis, 16 on a Cluster) */
  redisBuckets: number;
  jwtSecret: string;
  /** true when the secret was generated for this process (tokens die with it) */
  jwtSecretGenerated: boolean;
  heartbeatIntervalMs: number;
  staleTimeoutMs: number;
  leaveGraceMs: number;
  statsIntervalMs: number;
  activeWindowMs: number;
  sessionTtlMs: number;
  tokenTtlMs: number;
  tokenRefreshGraceMs: number;
  nodeLeaseMs: number;
  historySampleMs: number;
  guestCreatePerMinute: number;
  eventsPerSecond: number;
  chatMessagesPer10s: number;
  /** null: same origin and the desktop app only */
  corsOrigins: string[] | null;
  logLevel: (typeof levels)[number];
  /** folder of the browser build to serve at `/`, if any */
  webRoot: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL ?? null,
    redisClusterNodes: e.REDIS_CLUSTER_NODES
      ? e.REDIS_CLUSTER_NODES.split(',').map((hp) => {
          const i = hp.lastIndexOf(':');
          return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
        })
      : null,
    redisPrefix: e.REDIS_PREFIX,
    redisBuckets: e.REDIS_BUCKETS ?? (e.REDIS_CLUSTER_NODES ? 16 : 1),
    jwtSecret: e.JWT_SECRET ?? randomBytes(32).toString('hex'),
    jwtSecretGenerated: !e.JWT_SECRET,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    staleTimeoutMs: e.STALE_TIMEOUT_MS,
    leaveGraceMs: e.LEAVE_GRACE_MS,
    statsIntervalMs: e.STATS_INTERVAL_MS,
    activeWindowMs: e.ACTIVE_WINDOW_MS,
    sessionTtlMs: e.SESSION_TTL_MS,
    tokenTtlMs: e.TOKEN_TTL_MS,
    tokenRefreshGraceMs: e.TOKEN_REFRESH_GRACE_MS,
    nodeLeaseMs: e.NODE_LEASE_MS,
    historySampleMs: e.HISTORY_SAMPLE_MS,
    guestCreatePerMinute: e.GUEST_CREATE_PER_MINUTE,
    eventsPerSecond: e.EVENTS_PER_SECOND,
    chatMessagesPer10s: e.CHAT_MESSAGES_PER_10S,
    corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : null,
    logLevel: e.LOG_LEVEL,
    webRoot: e.WEB_ROOT ?? null,
  };
}

/** Config for in-process servers (tests, bench, the desktop app): defaults, loopback, any port. */
export function configFor(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), ...overrides };
}
