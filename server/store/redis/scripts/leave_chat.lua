--[[
  leave_chat: ends the user's chat: 'left' for the user, 'partner_left' for the partner.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId
  Returns: -1 session_not_found | -3 not_in_chat | cjson { ev = events? }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local u = load(id)
if not is_live(u) then return E_SESSION_NOT_FOUND end
seen(u)
if not u.partnerId then return E_NOT_IN_CHAT end
local events = {}
end_chat(u, 'partner_left', events)
return reply_events(events)
