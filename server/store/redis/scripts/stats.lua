--[[
  stats: the five numbers and the most recent online users, all from maintained indexes
  (O(log N) in the number of users, plus the recent users). The snapshot's fingerprint is
  compared with the last observed one; the sequence number moves exactly when it differs, so
  seq is shared by every node reading the same Redis.

  KEYS[1] sessions  KEYS[2] active  KEYS[3] online  KEYS[4] queue  KEYS[5] chatting
  KEYS[6] stats:fp (last fingerprint)  KEYS[7] stats:seq (counter)
  ARGV[1] base  ARGV[2] now  ARGV[3] activeWindow (ms)  ARGV[4] recent users to return
  Returns: cjson { s = { total, online, active, available, connected }, q = seq,
                   r = { { id, username, status, since }, ... } newest first }
]]
local base, now = ARGV[1], tonumber(ARGV[2])
local total = redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
local active = redis.call('ZCOUNT', KEYS[2], now - tonumber(ARGV[3]), '+inf')
local online = redis.call('ZCARD', KEYS[3])
local available = redis.call('ZCARD', KEYS[4])
local connected = redis.call('SCARD', KEYS[5])
local numbers = { total, online, active, available, connected }

local recent = {}
local parts = { table.concat(numbers, ',') }
local top = redis.call('ZREVRANGE', KEYS[3], 0, tonumber(ARGV[4]) - 1, 'WITHSCORES')
for i = 1, #top, 2 do
  local id = top[i]
  local f = redis.call('HMGET', base .. 'u:' .. id, 'username', 'searching', 'partnerId')
  if f[1] then
    local status = 'online'
    if f[3] then status = 'chatting' elseif f[2] == '1' then status = 'searching' end
    table.insert(recent, { id, f[1], status, top[i + 1] })
    table.insert(parts, id .. ':' .. status)
  end
end

local fingerprint = table.concat(parts, '|')
local seq
if redis.call('GET', KEYS[6]) ~= fingerprint then
  redis.call('SET', KEYS[6], fingerprint)
  seq = redis.call('INCR', KEYS[7])
else
  seq = tonumber(redis.call('GET', KEYS[7]) or '0')
end
local out = { s = numbers, q = seq }
if #recent > 0 then out.r = recent end
return cjson.encode(out)
