--[[
  restore_sessions: writes sessions back after an outage (a restarted Redis lost them, or a node
  created them while Redis was down), in batches. Each is written as create_session writes one
  (hash, `sessions` and `active` entries, key TTL) but keeping its createdAt, expiresAt, lastSeen
  and hidden; it comes back offline, with no connection, not searching, not chatting (the node
  re-registers its live connections afterwards).
  - A session whose expiresAt is not after `now` is skipped, and so is a deleted one (its
    tombstone x:<id>, written by end_session, outlives any copy a node may still hold).
  - A live session that exists is left as it is (it is newer than the node's copy, or the same).
  - A session hash that exists but expired and was not swept yet is revived instead: its times
    move forward to the record's (the node kept it alive during the outage). Its other state is
    left as it is, so no index changes and nothing to tell anyone.
  - Leftovers of an absent session (connections hash, index entries) are cleared first, so the
    restored record starts consistent.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[8 + 2i] u:<id_i> session hash   KEYS[9 + 2i] c:<id_i> connections hash   (i = 1..count)
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] count, then per record i (6 fields from ARGV[2 + 6i]):
    id, username, createdAt, expiresAt, lastSeen, hidden (1|0)
  Returns: how many sessions were written or revived
]]
-- @include presence

-- One record; returns 1 when written or revived, else 0.
local function restore(id, username, created, expires, last, hidden)
  if expires <= NOW then return 0 end
  if redis.call('EXISTS', xkey(id)) == 1 then return 0 end
  local u = load(id)
  if is_live(u) then return 0 end
  if u then
    last, expires = math.max(last, tonumber(u.lastSeen)), math.max(expires, tonumber(u.expiresAt))
    redis.call('HSET', ukey(id), 'lastSeen', last, 'expiresAt', expires)
  else
    end_session(id, 'expired', {}, false)
    redis.call('HSET', ukey(id), 'username', username, 'createdAt', created, 'expiresAt', expires,
      'lastSeen', last, 'hidden', hidden, 'conns', 0, 'searching', 0)
  end
  redis.call('ZADD', K_SESSIONS, expires, id)
  redis.call('ZADD', K_ACTIVE, last, id)
  redis.call('PEXPIRE', ukey(id), expires - NOW + RETAIN)
  redis.call('PEXPIRE', ckey(id), expires - NOW + RETAIN)
  return 1
end

local written = 0
for i = 1, tonumber(ARGV[7]) do
  local a = 2 + 6 * i
  local id = ARGV[a]
  if KEYS[8 + 2 * i] ~= ukey(id) or KEYS[9 + 2 * i] ~= ckey(id) then
    return redis.error_reply('ERR herenow: key layout mismatch between keys.ts and presence.lua')
  end
  written = written + restore(id, ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]),
    tonumber(ARGV[a + 4]), ARGV[a + 5])
end
return written
