--[[
  expired_nodes: the nodes whose lease ended before `now` and that were not dropped yet
  (drop_node removes the lease together with the node's last connections), oldest lease first.

  KEYS[1] nodes  sorted set: node id -> lease end
  ARGV[1] now  ARGV[2] max ids returned (a bound; dead nodes are few)
  Returns: array of node ids
]]
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
