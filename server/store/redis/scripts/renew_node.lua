--[[
  renew_node: registers or renews a server node's lease (a live node calls it every period; a
  node whose lease end passes is taken as dead and reaped through expired_nodes + drop_node).

  KEYS[1] nodes  sorted set: node id -> lease end (ms since epoch, the caller's clock)
  ARGV[1] nodeId  ARGV[2] lease end
  Returns: 1
]]
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]), ARGV[1])
return 1
