--[[
  sweep: the time-driven transitions due at `now`, in bounded batches (the caller repeats while
  `more`): users whose leave grace passed go offline (partner_gone), expired sessions end
  (session_ended 'expired'), activity older than the active window is pruned. One bucket per
  call. It also hands back the cross-bucket work a failed node may have left: outbox releases
  older than a few seconds (o) and searches that have waited long (w), which the caller
  re-offers to the central queue (a no-op for one that waits there already).

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] batch (users per kind per call)  ARGV[8] activeWindow (ms)
  ARGV[9] outbox entries written before this are due  ARGV[10] searches begun before this are due
  Returns: cjson { ev = events?, f = follow-ups?, more = 1?, and with the last batch only:
                   o = { member, ... }?, w = { { userId, token, username }, ... }? }
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

-- Only with the last batch: the caller repeats while `more` and reads these from the last reply.
local more = #due == batch or #expired == batch
local extra = {}
if not more then
  local stale = redis.call('ZRANGEBYSCORE', K_OUTBOX, '-inf', '(' .. ARGV[9], 'LIMIT', 0, batch)
  if #stale > 0 then extra.o = stale end
  local waiting = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_QUEUE, '-inf', '(' .. ARGV[10], 'LIMIT', 0, batch)) do
    local f = redis.call('HMGET', ukey(id), 'searching', 'st', 'username')
    if f[1] == '1' and f[2] then table.insert(waiting, { id, f[2], f[3] }) end
  end
  if #waiting > 0 then extra.w = waiting end
end
return reply_events(events, more, extra)
