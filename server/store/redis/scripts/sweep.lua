--[[
  sweep: the time-driven transitions due at `now`, in bounded batches (the caller repeats while
  `more`): users whose leave grace passed go offline (partner_gone), expired sessions end
  (session_ended 'expired'), activity older than the active window is pruned.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] queueSeq
  KEYS[6] chatting  KEYS[7] leaving  KEYS[8] log  KEYS[9] logSeq      (see lib/presence.lua)
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] batch (users per kind per call)  ARGV[8] activeWindow (ms)
  Returns: cjson { ev = events?, more = 1? }
]]
-- @include presence
local batch = tonumber(ARGV[7])
local events = {}

local due = redis.call('ZRANGEBYSCORE', K_LEAVING, '-inf', NOW, 'LIMIT', 0, batch)
for _, id in ipairs(due) do
  redis.call('ZREM', K_LEAVING, id)
  local u = load(id)
  if u and tonumber(u.conns) == 0 then go_offline(u, 'partner_gone', events) end
end

local expired = redis.call('ZRANGEBYSCORE', K_SESSIONS, '-inf', NOW, 'LIMIT', 0, batch)
for _, id in ipairs(expired) do end_session(id, 'expired', events, true) end

redis.call('ZREMRANGEBYSCORE', K_ACTIVE, '-inf', '(' .. (NOW - tonumber(ARGV[8])))
return reply_events(events, #due == batch or #expired == batch)
