--[[
  pair_done: forgets a pending pair once both users were claimed (or it was given up).

  KEYS[1] pairs  KEYS[2] pairsAt      (see match.lua)
  ARGV[1] chatId
  Returns: 1 when it was pending, else 0
]]
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])
