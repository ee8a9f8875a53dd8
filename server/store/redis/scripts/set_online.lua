--[[
  set_online: hides (0) or shows (1) the user. Hiding leaves the queue and ends the chat
  (partner_left); showing brings the user online again when a connection is live.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] isOnline (1|0)
  Returns: -1 (session_not_found) | cjson { r = record, ev = events? }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local u = load(id)
if not is_live(u) then return E_SESSION_NOT_FOUND end
local events = {}
seen(u)
if ARGV[8] == '1' then
  set_field(u, 'hidden', 0)
  if not u.onlineSince and tonumber(u.conns) > 0 then go_online(u) end
else
  set_field(u, 'hidden', 1)
  go_offline(u, 'partner_left', events)
end
return reply(u, events)
