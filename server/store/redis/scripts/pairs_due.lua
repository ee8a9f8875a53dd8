--[[
  pairs_due: pending pairs made before a time, which the node that made them should long have
  completed (it died, or lost Redis in between): the sweep completes them.

  KEYS[1] pairs  KEYS[2] pairsAt      (see match.lua)
  ARGV[1] made before (ms)  ARGV[2] max pairs returned
  Returns: cjson { x = { { chatId, pair }, ... }? }
]]
local out = {}
for _, chat_id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))) do
  local pair = redis.call('HGET', KEYS[1], chat_id)
  if pair then
    table.insert(out, { chat_id, cjson.decode(pair) })
  else
    redis.call('ZREM', KEYS[2], chat_id)
  end
end
if #out == 0 then return '{}' end
return cjson.encode({ x = out })
