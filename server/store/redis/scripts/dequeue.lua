--[[
  dequeue: removes a search that ended (cancelled, or the user went offline) from the central
  queue; a newer search of the same user (another token) stays.

  KEYS[1] queue  KEYS[2] queueInfo      (see match.lua)
  ARGV[1] userId  ARGV[2] search token
  Returns: 1 when removed, else 0
]]
local info = redis.call('HGET', KEYS[2], ARGV[1])
if not info or cjson.decode(info).t ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
