--[[
  connect: registers a live connection; the user becomes online unless hidden, and a pending
  leave (grace) is cancelled.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  KEYS[12] n:<nodeId> the node's connection set
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] connId  ARGV[9] nodeId
  Returns: -1 (session_not_found) | cjson { r = record }
]]
-- @include presence
local id, conn_id, node = ARGV[7], ARGV[8], ARGV[9]
local bad = check_user_keys(id)
if bad then return bad end
if KEYS[12] ~= nkey(node) then return redis.error_reply('ERR herenow: node key mismatch') end

local u = load(id)
if not is_live(u) then return E_SESSION_NOT_FOUND end
local previous = redis.call('HGET', KEYS[11], conn_id)
if previous and previous ~= node then redis.call('ZREM', nkey(previous), conn_member(id, conn_id)) end
redis.call('HSET', KEYS[11], conn_id, node)
redis.call('ZADD', KEYS[12], 0, conn_member(id, conn_id))
set_field(u, 'conns', redis.call('HLEN', KEYS[11]))
if u.leavingAt then
  redis.call('ZREM', K_LEAVING, id)
  clear_field(u, 'leavingAt')
end
seen(u)
extend_expiry(KEYS[12], keep_for(u))
if u.hidden ~= '1' and not u.onlineSince then go_online(u) end
return reply(u)
