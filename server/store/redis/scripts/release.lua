--[[
  release: takes the partner of a chat that ended in another script out of that chat (the
  outbox's work): 'chat_ended' with the reason for them. Idempotent: a user no longer in that
  chat is left alone.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId (the partner)  ARGV[8] chatId  ARGV[9] reason (partner_left|partner_gone)
  Returns: cjson { ev = events? }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local events = {}
release_partner(load(id), ARGV[8], ARGV[9], events)
return reply_events(events)
