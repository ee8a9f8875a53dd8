--[[
  end_session: ends a session at once: offline (queue left, chat ended with partner_gone), its
  connections forgotten, every key and index entry removed. Without a session hash it only
  clears leftover index entries and reports nothing.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] reason (deleted|expired)
  Returns: cjson { ev = events? } (session_ended last)
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local events = {}
end_session(id, ARGV[8], events, false)
return reply_events(events)
