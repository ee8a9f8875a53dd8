--[[
  disconnect: removes a connection. When it was the user's last, the user goes offline after
  the leave grace (at once when the grace is 0).

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] connId
  Returns: cjson { ev = events? }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local events = {}
drop_connection(id, ARGV[8], nil, events)
return reply_events(events)
