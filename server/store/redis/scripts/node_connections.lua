--[[
  node_connections: one page of the connections a node registered, for self-repair. Members are
  read in byte order after a member cursor (BYLEX: all scores are 0), so connections added or
  removed between pages never shift the pages. Only entries the user's connections hash still
  assigns to this node are returned (a stale member is skipped, not repaired: this is a read).

  KEYS[1] n:<nodeId> the node's connection set (members `<userId>\0<connId>`, score 0)
  ARGV[1] base  ARGV[2] nodeId  ARGV[3] cursor (the last member of the previous page, '' = start)
  ARGV[4] page size
  Returns: cjson { c = { { userId, connId }, ... }?, n = last member? (more may follow) }
]]
local base, node, limit = ARGV[1], ARGV[2], tonumber(ARGV[4])
if KEYS[1] ~= base .. 'n:' .. node then return redis.error_reply('ERR herenow: node key mismatch') end
local from = '-'
if ARGV[3] ~= '' then from = '(' .. ARGV[3] end
local members = redis.call('ZRANGE', KEYS[1], from, '+', 'BYLEX', 'LIMIT', 0, limit)
local conns = {}
for _, member in ipairs(members) do
  local sep = string.find(member, '\0', 1, true)
  if sep then
    local id, conn_id = string.sub(member, 1, sep - 1), string.sub(member, sep + 1)
    if redis.call('HGET', base .. 'c:' .. id, conn_id) == node then table.insert(conns, { id, conn_id }) end
  end
end
local out = {}
if #conns > 0 then out.c = conns end
if #members == limit then out.n = members[#members] end
return cjson.encode(out)
