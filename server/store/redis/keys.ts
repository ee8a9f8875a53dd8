/**
 * Every Redis key RedisStore uses, built here from one prefix and a bucket count.
 *
 * Users are spread over `buckets` hash tags (a user's bucket: the CRC16 slot of their id, modulo
 * the count). A bucket holds its users' hashes and the indexes over them (sessions, active,
 * online, searching, chatting, leaving, change log, outbox), so every per-user operation, the
 * heartbeat above all, is one script on one slot: no CROSSSLOT on Redis Cluster, and the
 * buckets' slots are spaced evenly over the 16,384 (bucket i hashes into the i-th of `buckets`
 * equal slot ranges), so user state lands on every master of a cluster made with
 * `redis-cli --cluster create`. Counts are sums over the buckets; lists are merges.
 *
 * A few keys are shared by the whole deployment and live under the central tag `{prefix}`: node
 * leases, the match queue with its pending pairs (so pairing stays one atomic step), history.
 * Work that spans tags (a match's two users, a chat's partner in another bucket) runs as
 * idempotent steps with an outbox and a recovery sweep: see store.ts and match.ts.
 *
 * Lua builds the per-user and per-node keys itself from a bucket's `base` (see `ukey`, `ckey`,
 * `nkey`, `xkey` in scripts/lib/presence.lua), so the suffixes `u:`, `c:`, `n:`, `x:` are
 * mirrored there; the key tests check that both agree.
 */
import calculateSlot from 'cluster-key-slot';

/** Redis Cluster's slot count. */
const SLOTS = 16_384;
/** The most buckets a deployment may use (each stats read and sweep visits every bucket). */
export const MAX_BUCKETS = 256;

export interface BucketKeys {
  /** 0 .. buckets-1 */
  index: number;
  /** `{<prefix>#<n>}:`; scripts append `u:<id>`, `c:<id>`, `n:<nodeId>`, `x:<id>` to it */
  base: string;
  /** KEYS[1..9] of every presence script in this bucket (see presenceKeys), made once */
  indexes: readonly string[];
  /** hash: one user's session record */
  user(userId: string): string;
  /** hash: connection id -> node id, one user's live connections */
  conns(userId: string): string;
  /** sorted set (score 0): `<userId>\0<connId>` for every connection a node registered here */
  node(nodeId: string): string;
  /** string with a TTL: a deleted session's tombstone, so no restore brings it back */
  tombstone(userId: string): string;
  /** sorted set: user id by expiresAt */
  sessions: string;
  /** sorted set: user id by lastSeen */
  active: string;
  /** sorted set: user id by onlineSince */
  online: string;
  /** sorted set: searching user id by when the search began */
  queue: string;
  /** set: user ids in a chat */
  chatting: string;
  /** sorted set: user id by leavingAt (inside the leave grace) */
  leaving: string;
  /** stream: online-user change log, entry ids `<n>-0` */
  log: string;
  /** counter: the last change-log entry number */
  logSeq: string;
  /** sorted set: partner releases still to do, by when they were written */
  outbox: string;
  /** string: fingerprint of the bucket's last observed stats */
  statsFingerprint: string;
  /** counter: the bucket's stats sequence number (the snapshot's seq is the sum) */
  statsSeq: string;
}

export interface CentralKeys {
  base: string;
  /** sorted set: node id by lease end (renewNode; removed by dropNode) */
  nodes: string;
  /** sorted set: waiting searcher id by arrival number (FCFS) */
  queue: string;
  /** counter: arrival numbers for `queue` */
  queueSeq: string;
  /** hash: waiting searcher id -> their search token and name */
  queueInfo: string;
  /** hash: chatId -> a pair made but not yet claimed in both buckets */
  pairs: string;
  /** sorted set: chatId of a pending pair by when it was made */
  pairsAt: string;
  /** list: JSON history points, oldest first */
  history: string;
  /** string: the bucket count the data is written with (layout.lua) */
  layout: string;
}

export interface StoreKeys {
  central: CentralKeys;
  buckets: readonly BucketKeys[];
  /** The bucket a user's keys live in. */
  bucketOf(userId: string): BucketKeys;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,40}$/;

/**
 * The tag of bucket `index`: `<prefix>#<n>` with the smallest n whose slot falls in the
 * index-th of `count` equal slot ranges. `#` is not allowed in a prefix, so no bucket tag of one
 * prefix is the central tag of another.
 */
function bucketTag(prefix: string, index: number, count: number): string {
  const lo = Math.floor((index * SLOTS) / count);
  const hi = Math.floor(((index + 1) * SLOTS) / count);
  // With 256 buckets a range has 64 slots: about 256 tries on average, 10^5 is never reached.
  for (let n = 0; n < 100_000; n++) {
    const tag = `${prefix}#${n}`;
    const slot = calculateSlot(tag);
    if (slot >= lo && slot < hi) return tag;
  }
  throw new Error(`no hash tag found for bucket ${index} of ${count}`);
}

function bucketKeys(prefix: string, index: number, count: number): BucketKeys {
  const base = `{${bucketTag(prefix, index, count)}}:`;
  const k = {
    sessions: `${base}sessions`,
    active: `${base}active`,
    online: `${base}online`,
    queue: `${base}queue`,
    chatting: `${base}chatting`,
    leaving: `${base}leaving`,
    log: `${base}log`,
    logSeq: `${base}log:seq`,
    outbox: `${base}outbox`,
  };
  return {
    index,
    base,
    ...k,
    indexes: [k.sessions, k.active, k.online, k.queue, k.chatting, k.leaving, k.log, k.logSeq, k.outbox],
    user: (userId) => `${base}u:${userId}`,
    conns: (userId) => `${base}c:${userId}`,
    node: (nodeId) => `${base}n:${nodeId}`,
    tombstone: (userId) => `${base}x:${userId}`,
    statsFingerprint: `${base}stats:fp`,
    statsSeq: `${base}stats:seq`,
  };
}

/** Builds the key set for one prefix (letters, digits, `_.:-`; braces would break the tags). */
export function storeKeys(prefix: string, bucketCount = 1): StoreKeys {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`invalid Redis key prefix: ${JSON.stringify(prefix)}`);
  if (!Number.isInteger(bucketCount) || bucketCount < 1 || bucketCount > MAX_BUCKETS) {
    throw new Error(`invalid bucket count ${bucketCount} (1..${MAX_BUCKETS})`);
  }
  const base = `{${prefix}}:`;
  const buckets = Array.from({ length: bucketCount }, (_, i) => bucketKeys(prefix, i, bucketCount));
  return {
    central: {
      base,
      nodes: `${base}nodes`,
      queue: `${base}queue`,
      queueSeq: `${base}queue:seq`,
      queueInfo: `${base}queue:info`,
      pairs: `${base}pairs`,
      pairsAt: `${base}pairs:at`,
      history: `${base}history`,
      layout: `${base}layout`,
    },
    buckets,
    bucketOf: (userId) => buckets[calculateSlot(userId) % bucketCount] as BucketKeys,
  };
}

/**
 * The KEYS every presence script receives first, in this order (KEYS[1..9] in their headers);
 * scripts/lib/presence.lua reads them by these positions.
 */
export function presenceKeys(b: BucketKeys): readonly string[] {
  return b.indexes;
}

/** KEYS[1..11] of the per-user presence scripts: the bucket's indexes, the user's two hashes. */
export function userKeys(b: BucketKeys, userId: string): string[] {
  return [...b.indexes, b.user(userId), b.conns(userId)];
}
