--[[
  drop_lease: forgets a node's lease, after its connections were dropped from every bucket.

  KEYS[1] nodes  sorted set: node id -> lease end
  ARGV[1] nodeId
  Returns: 1 when a lease was removed, else 0
]]
return redis.call('ZREM', KEYS[1], ARGV[1])
