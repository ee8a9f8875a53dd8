--[[
  drop_node: removes the connections a node registered in one bucket (the node shuts down, or
  its lease expired), in bounded batches (the caller repeats while `more`, bucket by bucket).
  Each removal is a disconnect: a user whose last connection went enters the leave grace. The
  caller drops the node's lease (drop_lease.lua) after the last bucket, so a reap interrupted
  half-way leaves the node in expired_nodes and is retried.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] leaving  KEYS[7] log  KEYS[8] logSeq  KEYS[9] outbox      (see lib/presence.lua)
  KEYS[10] n:<nodeId> the node's connection set in this bucket
  ARGV[1] base  ARGV[2] now  ARGV[3] sessionTtl  ARGV[4] leaveGrace  ARGV[5] logMax  ARGV[6] retain
  ARGV[7] nodeId  ARGV[8] batch (connections per call)
  Returns: cjson { ev = events?, f = follow-ups?, more = 1? }
]]
-- @include presence
local node = ARGV[7]
if KEYS[10] ~= nkey(node) then return redis.error_reply('ERR herenow: node key mismatch') end
local batch = tonumber(ARGV[8])
local events = {}

local members = redis.call('ZRANGE', KEYS[10], 0, batch - 1)
for _, member in ipairs(members) do
  local sep = string.find(member, '\0', 1, true)
  if sep then
    drop_connection(string.sub(member, 1, sep - 1), string.sub(member, sep + 1), node, events)
  end
  redis.call('ZREM', KEYS[10], member)
end
return reply_events(events, #members == batch)
