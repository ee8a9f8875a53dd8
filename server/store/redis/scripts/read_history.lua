--[[
  read_history: the stored history points, oldest first (filtered by time in TypeScript).

  KEYS[1] history  list of JSON points, oldest first
  Returns: array of JSON strings
]]
return redis.call('LRANGE', KEYS[1], 0, -1)
