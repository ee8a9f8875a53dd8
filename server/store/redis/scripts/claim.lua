--[[
  claim: puts one user of a pair the central queue made (match.lua) into the chat, if that
  user is still on the same search (searching, same token). Idempotent: a user already in this
  chat is claimed again without change, so a pair's completion can be retried after a crash.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] search token  ARGV[9] chatId  ARGV[10] partnerId  ARGV[11] partnerName
  ARGV[12] the partner's bucket base (a chat within one bucket ends in one script)
  Returns: cjson { r = record } when claimed | cjson {} when the user is no longer on that search
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local u = load(id)
if u and u.chatId == ARGV[9] then return reply(u) end
if not is_live(u) or u.searching ~= '1' or u.st ~= ARGV[8] or u.partnerId then return '{}' end
redis.call('ZREM', K_QUEUE, id)
set_field(u, 'searching', 0)
clear_field(u, 'st')
set_field(u, 'partnerId', ARGV[10])
set_field(u, 'partnerName', ARGV[11])
set_field(u, 'partnerBase', ARGV[12])
set_field(u, 'chatId', ARGV[9])
redis.call('SADD', K_CHATTING, id)
log_status(u)
return reply(u)
