/**
 * Redis connections for the server: one client for the store (single node or Cluster) and
 * duplicates for Socket.IO's Redis adapter (a subscriber cannot run other commands).
 */
import { createClient, createCluster, RedisCluster } from 'redis';
import { StoreError } from '../types.js';

export interface RedisConnectOptions {
  /** `redis://host:port` of a single node */
  url?: string;
  /** Cluster seed nodes; win over `url` */
  clusterNodes?: { host: string; port: number }[];
  /** Every client error (connection lost, reconnect failed...); node-redis crashes without one. */
  onError?: (err: Error) => void;
  /** Give up on the first connection after this long (default: keep trying). */
  connectTimeoutMs?: number;
}

/**
 * Reconnect forever (Redis coming back is the normal end of an outage), with exponential backoff
 * from 50 ms to 2 s plus jitter so many nodes do not reconnect in lockstep.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2_000) + Math.floor(Math.random() * 100);
}

// disableOfflineQueue: while disconnected, commands fail at once (StoreError 'unavailable')
// instead of waiting in memory for a reconnect; the caller (FailoverStore) decides what to do.
const socket = { connectTimeout: 3_000, reconnectStrategy: reconnectDelay };

function singleClient(url: string) {
  return createClient({ url, socket, disableOfflineQueue: true });
}

function clusterClient(nodes: { host: string; port: number }[]) {
  return createCluster({
    rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
    defaults: { socket, disableOfflineQueue: true },
  });
}

export type RedisSingleConnection = ReturnType<typeof singleClient>;
export type RedisClusterConnection = ReturnType<typeof clusterClient>;
export type RedisConnection = RedisSingleConnection | RedisClusterConnection;

/** True for a Cluster client. */
export function isCluster(client: RedisConnection): client is RedisClusterConnection {
  return client instanceof RedisCluster;
}

function ignoreError(): void {
  // Errors surface to callers as StoreError 'unavailable' on their next command.
}

/** Connects to a single Redis (`url`) or a Cluster (`clusterNodes`). */
export async function connectRedis(opts: RedisConnectOptions): Promise<RedisConnection> {
  const client: RedisConnection = opts.clusterNodes?.length
    ? clusterClient(opts.clusterNodes)
    : singleClient(opts.url ?? 'redis://127.0.0.1:6379');
  client.on('error', opts.onError ?? ignoreError);
  return await withConnectTimeout(client, client.connect(), opts.connectTimeoutMs);
}

/** A connected duplicate (same server, options and error listener), e.g. the adapter's pub or sub. */
export async function duplicateRedis(
  client: RedisConnection,
  opts: Pick<RedisConnectOptions, 'onError' | 'connectTimeoutMs'> = {},
): Promise<RedisConnection> {
  const dup: RedisConnection = isCluster(client) ? client.duplicate() : client.duplicate();
  dup.on('error', opts.onError ?? ignoreError);
  return await withConnectTimeout(dup, dup.connect(), opts.connectTimeoutMs);
}

async function withConnectTimeout(client: RedisConnection, connecting: Promise<unknown>, ms: number | undefined) {
  if (ms === undefined) {
    await connecting;
    return client;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError('unavailable', `Redis not reachable within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([connecting, timeout]);
    return client;
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** What closeRedis needs of a node-redis client (single or Cluster). */
export interface Closable {
  close(): Promise<unknown>;
  destroy?(): void;
  readonly isReady?: boolean;
  readonly isOpen?: boolean;
}

/** How long a clean close may wait for replies still due before the connection is cut. */
const CLOSE_WAIT_MS = 1_000;

/**
 * Closes a connection without ever hanging: a client that is not connected (Redis down, a
 * reconnect pending) is destroyed at once — node-redis's close() can wait for a reconnect that
 * never comes, which kept a SIGTERMed node from exiting during an outage — and a connected one
 * gets CLOSE_WAIT_MS to finish its replies.
 */
export async function closeRedis(client: Closable): Promise<void> {
  if (client.isReady === false) {
    client.destroy?.();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
  await Promise.race([client.close().catch(() => undefined), waited]);
  clearTimeout(timer);
  if (client.isOpen) client.destroy?.();
}
