/**
 * Every Redis key RedisStore uses, built here from one prefix.
 *
 * All keys share the hash tag `{<prefix>}`, so they hash to one Cluster slot. That is what makes
 * every multi-key script valid on Redis Cluster (no CROSSSLOT), including the keys a script only
 * learns while it runs: the partner's hash when a chat ends, the longest-waiting searcher when a
 * match is made. The price is that one deployment's presence state lives on one shard; it is
 * small (a hash and a few sorted-set entries per user), and one shard serves far more
 * presence operations per second than a chat product of this kind produces. Spreading it would
 * mean per-user tags and per-shard indexes, with pairing across shards: a later change.
 *
 * Lua builds the per-user and per-node keys itself from `base` (see `ukey`, `ckey`, `nkey` in
 * scripts/lib/presence.lua), so the suffixes `u:`, `c:`, `n:`, `x:` are mirrored there; the key-TTL
 * test checks that both agree.
 */

export interface StoreKeys {
  /** `{prefix}:`; scripts append `u:<id>`, `c:<id>`, `n:<nodeId>` to it */
  base: string;
  /** hash: one user's session record */
  user(userId: string): string;
  /** hash: connection id -> node id, one user's live connections */
  conns(userId: string): string;
  /** sorted set (score 0): `<userId>\0<connId>` for every connection a node registered */
  node(nodeId: string): string;
  /** string with a TTL: a deleted session's tombstone, so no restore brings it back */
  tombstone(userId: string): string;
  /** sorted set: node id by lease end (renewNode; removed by dropNode) */
  nodes: string;
  /** sorted set: user id by expiresAt */
  sessions: string;
  /** sorted set: user id by lastSeen */
  active: string;
  /** sorted set: user id by onlineSince */
  online: string;
  /** sorted set: searching user id by arrival number (FCFS) */
  queue: string;
  /** counter: arrival numbers for `queue` */
  queueSeq: string;
  /** set: user ids in a chat */
  chatting: string;
  /** sorted set: user id by leavingAt (inside the leave grace) */
  leaving: string;
  /** stream: online-user change log, entry ids `<n>-0` */
  log: string;
  /** counter: the last change-log entry number */
  logSeq: string;
  /** string: fingerprint of the last observed stats snapshot */
  statsFingerprint: string;
  /** counter: stats snapshot sequence number */
  statsSeq: string;
  /** list: JSON history points, oldest first */
  history: string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,40}$/;

/** Builds the key set for one prefix (letters, digits, `_.:-`; braces would break the tag). */
export function storeKeys(prefix: string): StoreKeys {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`invalid Redis key prefix: ${JSON.stringify(prefix)}`);
  const base = `{${prefix}}:`;
  return {
    base,
    user: (userId) => `${base}u:${userId}`,
    conns: (userId) => `${base}c:${userId}`,
    node: (nodeId) => `${base}n:${nodeId}`,
    tombstone: (userId) => `${base}x:${userId}`,
    nodes: `${base}nodes`,
    sessions: `${base}sessions`,
    active: `${base}active`,
    online: `${base}online`,
    queue: `${base}queue`,
    queueSeq: `${base}queue:seq`,
    chatting: `${base}chatting`,
    leaving: `${base}leaving`,
    log: `${base}log`,
    logSeq: `${base}log:seq`,
    statsFingerprint: `${base}stats:fp`,
    statsSeq: `${base}stats:seq`,
    history: `${base}history`,
  };
}

/**
 * The KEYS every presence script receives first, in this order (KEYS[1..9] in their headers);
 * scripts/lib/presence.lua reads them by these positions.
 */
export function presenceKeys(k: StoreKeys): string[] {
  return [k.sessions, k.active, k.online, k.queue, k.queueSeq, k.chatting, k.leaving, k.log, k.logSeq];
}
