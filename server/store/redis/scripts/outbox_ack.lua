--[[
  outbox_ack: forgets outbox entries whose release was done.

  KEYS[1] outbox  zset of pending partner releases (see lib/presence.lua)
  ARGV[1..n] the entries
  Returns: how many were removed
]]
return redis.call('ZREM', KEYS[1], unpack(ARGV))
