--[[
  unclaim: undoes a claim when the pair's other user was gone: the user leaves that chat (no
  one was told of it yet) and is back on the same search, still online.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] chatId  ARGV[9] search token
  Returns: cjson { s = 1 } when the user searches again | cjson {} when not in that chat
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local u = load(id)
if not u or u.chatId ~= ARGV[8] then return '{}' end
clear_chat(u)
if not u.onlineSince then return '{}' end
start_searching(u, ARGV[9])
log_status(u)
return '{"s":1}'
