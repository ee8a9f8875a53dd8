--[[
  append_history: appends one stats history point and keeps the newest `max`. Idempotent per
  period: several nodes sample the same aligned `t`, so a point whose t is not after the last
  kept one is dropped (the first writer of a period wins, as in MemoryStore).

  KEYS[1] history  list of JSON points, oldest first
  ARGV[1] point (JSON)  ARGV[2] max points kept  ARGV[3] the point's t
  Returns: the list length after trimming
]]
local last = redis.call('LINDEX', KEYS[1], -1)
if last and tonumber(cjson.decode(last).t) >= tonumber(ARGV[3]) then return redis.call('LLEN', KEYS[1]) end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
return redis.call('LLEN', KEYS[1])
