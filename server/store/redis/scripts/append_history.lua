--[[
  append_history: appends one stats history point and keeps the newest `max`.

  KEYS[1] history  list of JSON points, oldest first
  ARGV[1] point (JSON)  ARGV[2] max points kept
  Returns: the list length after trimming
]]
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
return redis.call('LLEN', KEYS[1])
