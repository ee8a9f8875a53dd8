--[[
  create_session: a new guest session, not yet online (no connection).

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] username
  Returns: cjson { r = record }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

-- Ids are fresh UUIDs; a leftover with the same id is replaced, not merged.
redis.call('DEL', KEYS[10], KEYS[11])
local u = {
  id = id, username = ARGV[8], createdAt = ARGV[2], expiresAt = ARGV[2], lastSeen = ARGV[2],
  hidden = '0', conns = '0', searching = '0',
}
redis.call('HSET', KEYS[10], 'username', u.username, 'createdAt', NOW, 'hidden', 0, 'conns', 0,
  'searching', 0)
seen(u)
return reply(u)
