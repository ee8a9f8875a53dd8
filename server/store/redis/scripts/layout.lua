--[[
  layout: records the bucket count the deployment's data is written with, the first time, and
  returns the recorded one: a node started with another count would split user state.

  KEYS[1] layout  ARGV[1] this node's bucket count
  Returns: the recorded bucket count (a string)
]]
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
