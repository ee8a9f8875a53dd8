--[[
  match: the central match queue (one hash tag for the whole deployment; only searches touch
  it). A user who started a search (search.lua) either pairs with the longest-waiting other
  searcher, atomically (first come, first served; the partner leaves the queue in the same step,
  so nobody is paired twice), or waits in the queue. A pair is kept as pending until both users
  are claimed in their buckets (claim.lua, then pair_done.lua); a node that dies in between
  leaves it for the next sweep (pairs_due.lua).

  KEYS[1] queue      zset  user id -> arrival number
  KEYS[2] queueSeq   counter of arrival numbers
  KEYS[3] queueInfo  hash  user id -> cjson { t = search token, n = username }
  KEYS[4] pairs      hash  chatId -> cjson { a = { id, token, name, arrival }, b = { id, token, name } }
  KEYS[5] pairsAt    zset  chatId -> when the pair was made
  ARGV[1] userId  ARGV[2] search token  ARGV[3] username  ARGV[4] chatId for a pair made now
  ARGV[5] now  ARGV[6] arrival number to wait with ('' = a new arrival; set when a user goes
  back to the place they had)
  Returns: cjson { q = 1 } waiting | cjson { p = { id, token, name, arrival } } paired with p
]]
local id, token = ARGV[1], ARGV[2]
local mine = redis.call('HGET', KEYS[3], id)
if mine then
  if cjson.decode(mine).t == token then return '{"q":1}' end
  -- An earlier search of the same user that nobody removed: this one replaces it.
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[3], id)
end

-- Bounded: each pass removes the entry it looked at.
for _ = 1, 100 do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #head == 0 then break end
  local other, arrival = head[1], head[2]
  local info = redis.call('HGET', KEYS[3], other)
  redis.call('ZREM', KEYS[1], other)
  redis.call('HDEL', KEYS[3], other)
  if info then
    local o = cjson.decode(info)
    local a = { other, o.t, o.n, arrival }
    redis.call('HSET', KEYS[4], ARGV[4], cjson.encode({ a = a, b = { id, token, ARGV[3] } }))
    redis.call('ZADD', KEYS[5], tonumber(ARGV[5]), ARGV[4])
    return cjson.encode({ p = a })
  end
end

local arrival = tonumber(ARGV[6])
if not arrival then arrival = redis.call('INCR', KEYS[2]) end
redis.call('ZADD', KEYS[1], arrival, id)
redis.call('HSET', KEYS[3], id, cjson.encode({ t = token, n = ARGV[3] }))
return '{"q":1}'
