--[[
  search: the user's side of set_searching. 1 starts a search: the user is marked searching
  (with the caller's token) in their bucket, and the caller then asks the central queue for a
  partner (match.lua) and claims both users (claim.lua). A hidden or offline user is shown
  first; one with no connection is only shown, never searches. 0 stops the search (the caller
  then removes it from the central queue).

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] u:<userId> session hash   KEYS[11] c:<userId> connections hash
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] userId  ARGV[8] isSearching (1|0)  ARGV[9] token of a search started now
  Returns: -1 session_not_found | -2 already_in_chat | -4 not_searching
           | cjson { r = record, f = follow-ups?, q = 1 when a search started (match next) }
]]
-- @include presence
local id = ARGV[7]
local bad = check_user_keys(id)
if bad then return bad end

local u = load(id)
if not is_live(u) then return E_SESSION_NOT_FOUND end
seen(u)

if ARGV[8] ~= '1' then
  if u.searching ~= '1' then return E_NOT_SEARCHING end
  stop_searching(u)
  log_status(u)
  return reply(u)
end

if u.partnerId then return E_ALREADY_IN_CHAT end
if u.searching == '1' then return reply(u) end
if u.hidden == '1' or not u.onlineSince then
  set_field(u, 'hidden', 0)
  -- Only a connected user can search: without a connection the user is only shown (as in
  -- MemoryStore). Queueing them would make a user online with nothing to ever take them off.
  if tonumber(u.conns or '0') == 0 then return reply(u) end
  go_online(u)
end

start_searching(u, ARGV[9])
log_status(u)
return reply(u, nil, { q = 1 })
