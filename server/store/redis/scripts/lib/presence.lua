--[[
  Shared prelude of every presence script (the loader puts it where a script says
  `-- @include presence`). Only local definitions: nothing runs until a script calls it.

  Common KEYS (built by keys.ts `presenceKeys`, same order in every presence script):
    KEYS[1] sessions   zset  user id -> expiresAt
    KEYS[2] active     zset  user id -> lastSeen
    KEYS[3] online     zset  user id -> onlineSince
    KEYS[4] queue      zset  searching user id -> when the search began (counts; stuck searches)
    KEYS[5] chatting   set   user ids in a chat
    KEYS[6] leaving    zset  user id -> leavingAt
    KEYS[7] log        stream of online-user changes, ids <n>-0
    KEYS[8] logSeq     counter: last change-log entry number
    KEYS[9] outbox     zset  "<partnerId>\0<chatId>\0<reason>" -> when written: partners still
                       to release from a chat that ended here (they may live in another bucket)
  All of them belong to one bucket (keys.ts): a script only touches its bucket's hash tag.
  Common ARGV:
    ARGV[1] base        the bucket's `{tag}:`; per-user/per-node keys are base..'u:'/'c:'/'n:'..id
    ARGV[2] now         ms since epoch (the caller's clock; Redis TIME is never used)
    ARGV[3] sessionTtl  ms a session lives after the last activity
    ARGV[4] leaveGrace  ms a user stays online after the last connection went
    ARGV[5] logMax      change-log entries kept
    ARGV[6] retain      ms per-user keys outlive expiresAt (room for the sweep to end them)

  Session hash fields (absent = null): username createdAt expiresAt lastSeen hidden(0/1)
  conns searching(0/1) st (the search's token while searching) leavingAt partnerId partnerName
  partnerBase (the partner's bucket base) chatId onlineSince.

  Domain errors are negative integers; store.ts maps them in one place (SCRIPT_ERRORS).
  Results are cjson strings; empty event lists are left out (cjson encodes {} for them).
]]
local BASE = ARGV[1]
local NOW = tonumber(ARGV[2])
local SESSION_TTL = tonumber(ARGV[3])
local LEAVE_GRACE = tonumber(ARGV[4])
local LOG_MAX = tonumber(ARGV[5])
local RETAIN = tonumber(ARGV[6])
local K_SESSIONS, K_ACTIVE, K_ONLINE, K_QUEUE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_CHATTING, K_LEAVING, K_LOG, K_LOG_SEQ, K_OUTBOX = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]

local E_SESSION_NOT_FOUND = -1
local E_ALREADY_IN_CHAT = -2
local E_NOT_IN_CHAT = -3
local E_NOT_SEARCHING = -4

-- Work another hash tag must do after this script (store.ts runs it, then acknowledges it):
--   { 'r', partnerId, chatId, reason, outboxMember }  release the partner from the chat
--   { 'd', userId, searchToken }                     drop the search from the central queue
-- A release is also kept in the outbox until acknowledged, so a node that dies in between
-- leaves it for the next sweep; a dequeue needs no such care (a stale queue entry fails its
-- claim and is dropped then).
local FOLLOW = {}

local function ukey(id) return BASE .. 'u:' .. id end
local function ckey(id) return BASE .. 'c:' .. id end
local function nkey(node) return BASE .. 'n:' .. node end
-- Tombstone of a deleted session: restore_sessions never brings it back.
local function xkey(id) return BASE .. 'x:' .. id end
-- A node set member names the user and the connection; ids never contain NUL.
local function conn_member(id, conn_id) return id .. '\0' .. conn_id end

-- The session hash as a table (field -> string, plus `id`), or nil.
local function load(id)
  local raw = redis.call('HGETALL', ukey(id))
  if #raw == 0 then return nil end
  local u = { id = id }
  for i = 1, #raw, 2 do u[raw[i]] = raw[i + 1] end
  return u
end

local function is_live(u) return u ~= nil and tonumber(u.expiresAt) > NOW end

local function set_field(u, field, value)
  u[field] = tostring(value)
  redis.call('HSET', ukey(u.id), field, value)
end

local function clear_field(u, field)
  if u[field] ~= nil then
    u[field] = nil
    redis.call('HDEL', ukey(u.id), field)
  end
end

-- Key TTLs are durations measured from `now` (PEXPIRE, not PEXPIREAT): Redis expires keys by
-- its own clock, and an absolute time from the caller's clock (a test's fixed epoch, a skewed
-- node) could lie in Redis's past and delete live state at once.
local function keep_for(u)
  return tonumber(u.expiresAt) - NOW + RETAIN
end

-- Extends a shared key's expiry, never shortens it (GT), and sets one on a fresh key (NX).
local function extend_expiry(key, ms)
  if redis.call('PEXPIRE', key, ms, 'GT') == 0 then redis.call('PEXPIRE', key, ms, 'NX') end
end

-- Activity: lastSeen and a sliding expiresAt, with the index entries and the key TTLs.
local function seen(u)
  local last = math.max(tonumber(u.lastSeen), NOW)
  local expires = math.max(tonumber(u.expiresAt), NOW + SESSION_TTL)
  u.lastSeen, u.expiresAt = tostring(last), tostring(expires)
  redis.call('HSET', ukey(u.id), 'lastSeen', last, 'expiresAt', expires)
  redis.call('ZADD', K_ACTIVE, last, u.id)
  redis.call('ZADD', K_SESSIONS, expires, u.id)
  redis.call('PEXPIRE', ukey(u.id), keep_for(u))
  redis.call('PEXPIRE', ckey(u.id), keep_for(u))
end

local function status_of(u)
  if u.partnerId then return 'chatting' end
  if u.searching == '1' then return 'searching' end
  return 'online'
end

-- Exact MAXLEN (not ~): readers detect truncation from the first kept number, so the log must
-- keep exactly what it promises even when logMax is smaller than a stream node.
local function log_append(...)
  local n = redis.call('INCR', K_LOG_SEQ)
  redis.call('XADD', K_LOG, 'MAXLEN', LOG_MAX, n .. '-0', ...)
end

-- 'joined' with the full OnlineUser; a no-op while the user is offline.
local function log_status(u)
  if u.onlineSince then
    log_append('k', 'j', 'u', u.id, 'n', u.username, 's', status_of(u), 't', u.onlineSince)
  end
end

local function go_online(u)
  set_field(u, 'onlineSince', NOW)
  redis.call('ZADD', K_ONLINE, NOW, u.id)
  log_status(u)
end

-- Takes u out of their chat (fields and the chatting index); nobody is told here.
local function clear_chat(u)
  clear_field(u, 'partnerId')
  clear_field(u, 'partnerName')
  clear_field(u, 'partnerBase')
  clear_field(u, 'chatId')
  redis.call('SREM', K_CHATTING, u.id)
end

-- Marks u searching on the search `token` (the central queue entry carries the same token).
local function start_searching(u, token)
  redis.call('ZADD', K_QUEUE, NOW, u.id)
  set_field(u, 'searching', 1)
  set_field(u, 'st', token)
end

-- Takes p out of the chat `chat_id` and tells them `reason`; a no-op when p is not in it (any
-- more): a release may run twice, or after p left on their own.
local function release_partner(p, chat_id, reason, events)
  if not p or p.chatId ~= chat_id then return end
  clear_chat(p)
  log_status(p)
  table.insert(events, { 'e', chat_id, p.id, reason })
end

-- Ends u's chat: 'left' for u, partner_reason for the partner. A partner in this bucket
-- (partnerBase, set by claim.lua) is released here; one in another bucket through the outbox
-- (release.lua, run by the caller right after).
local function end_chat(u, partner_reason, events)
  local chat_id, partner_id, partner_base = u.chatId or '', u.partnerId, u.partnerBase
  clear_chat(u)
  log_status(u)
  table.insert(events, { 'e', chat_id, u.id, 'left' })
  if partner_base == BASE then
    release_partner(load(partner_id), chat_id, partner_reason, events)
    return
  end
  local member = partner_id .. '\0' .. chat_id .. '\0' .. partner_reason
  redis.call('ZADD', K_OUTBOX, NOW, member)
  table.insert(FOLLOW, { 'r', partner_id, chat_id, partner_reason, member })
end

-- Leaves the search: out of this bucket's queue now, out of the central queue right after.
local function stop_searching(u)
  redis.call('ZREM', K_QUEUE, u.id)
  set_field(u, 'searching', 0)
  if u.st then table.insert(FOLLOW, { 'd', u.id, u.st }) end
  clear_field(u, 'st')
end

-- Takes u offline: out of the queue, chat ended (partner told partner_reason), 'left' logged.
local function go_offline(u, partner_reason, events)
  if u.searching == '1' then stop_searching(u) end
  if u.partnerId then end_chat(u, partner_reason, events) end
  if u.onlineSince then
    clear_field(u, 'onlineSince')
    redis.call('ZREM', K_ONLINE, u.id)
    log_append('k', 'l', 'u', u.id)
  end
  redis.call('ZREM', K_LEAVING, u.id)
  clear_field(u, 'leavingAt')
end

-- Removes one connection (node_hint: the node whose set named it, when the caller knows).
-- When it was the user's last, the user goes offline now or after the leave grace.
local function drop_connection(id, conn_id, node_hint, events)
  local node = redis.call('HGET', ckey(id), conn_id) or node_hint
  if node then redis.call('ZREM', nkey(node), conn_member(id, conn_id)) end
  if redis.call('HDEL', ckey(id), conn_id) == 0 then return end
  local u = load(id)
  if not u then return end
  local conns = redis.call('HLEN', ckey(id))
  set_field(u, 'conns', conns)
  if conns > 0 or not u.onlineSince then return end
  if LEAVE_GRACE <= 0 then
    go_offline(u, 'partner_gone', events)
  else
    set_field(u, 'leavingAt', NOW + LEAVE_GRACE)
    redis.call('ZADD', K_LEAVING, NOW + LEAVE_GRACE, id)
  end
end

-- Ends a session: offline first (partner_gone), then every trace of it; session_ended is told
-- when there was a session, or always when `always_tell` (the sweep: a session whose hash
-- already expired because no sweep ran for `retain` can only be removed from the indexes by id).
local function end_session(id, reason, events, always_tell)
  local u = load(id)
  if u then go_offline(u, 'partner_gone', events) end
  local conns = redis.call('HGETALL', ckey(id))
  for i = 1, #conns, 2 do redis.call('ZREM', nkey(conns[i + 1]), conn_member(id, conns[i])) end
  redis.call('DEL', ukey(id), ckey(id))
  redis.call('ZREM', K_SESSIONS, id)
  redis.call('ZREM', K_ACTIVE, id)
  redis.call('ZREM', K_LEAVING, id)
  if not u then
    redis.call('ZREM', K_QUEUE, id)
    redis.call('ZREM', K_ONLINE, id)
    redis.call('SREM', K_CHATTING, id)
  end
  if u or always_tell then table.insert(events, { 's', id, reason }) end
  -- Written even without a hash: a node that deleted the session while Redis was down writes it
  -- back this way, and another node's restore must not revive it.
  if reason == 'deleted' then redis.call('SET', xkey(id), 1, 'PX', SESSION_TTL + RETAIN) end
end

-- The record as the caller sees it (hash fields and id) plus events, as one cjson string.
local function reply(u, events, extra)
  local out = extra or {}
  out.r = u
  if events and #events > 0 then out.ev = events end
  if #FOLLOW > 0 then out.f = FOLLOW end
  return cjson.encode(out)
end

local function reply_events(events, more, extra)
  local out = extra or {}
  if #events > 0 then out.ev = events end
  if more then out.more = 1 end
  if #FOLLOW > 0 then out.f = FOLLOW end
  return cjson.encode(out)
end

-- KEYS[10], KEYS[11] must be the user's hash and connections keys as Lua builds them; a
-- mismatch with keys.ts would silently split state, so fail loudly instead.
local function check_user_keys(id)
  if KEYS[10] ~= ukey(id) or KEYS[11] ~= ckey(id) then
    return redis.error_reply('ERR herenow: key layout mismatch between keys.ts and presence.lua')
  end
  return nil
end
