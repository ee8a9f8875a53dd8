--[[
  touch: a heartbeat or any action. Marks the user seen, slides the session and keeps the
  connection's node set from expiring. The hot path: exactly one EVALSHA, one round trip.
  (A connection's own liveness is its node's business: the node drops it when stale and the
  node lease covers a dead node, so no per-connection timestamp is written here.)

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] connId
  Returns: -1 (session_not_found) | cjson { p = { partnerId, partnerName }?, c = chatId? }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local u = load(id)
if not is_live(u) then return E_SESSION_NOT_FOUND end
seen(u)
local node = redis.call('HGET', KEYS[11], ARGV[8])
if node then extend_expiry(nkey(node), keep_for(u)) end
local out = {}
if u.partnerId then out.p = { u.partnerId, u.partnerName } end
if u.chatId then out.c = u.chatId end
return cjson.encode(out)
